// The inspector's attribute fields: text → value, checked with the engine's own rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getOp } from '../../engine/graph/registry';
import '../../engine/graph/analyze';
import { attrFieldText, attrPlaceholder, formatAttr, parseAttrText } from '../../webview/model/attrText';

const attr = (op: string, name: string) => getOp(op)!.attrs.find((a) => a.name === name)!;

describe('attribute text', () => {
  it('parses numbers and refuses what checkAttr refuses', () => {
    assert.deepEqual(parseAttrText(attr('Linear', 'outFeatures'), ' 32 '), { ok: true, value: 32 });
    const neg = parseAttrText(attr('Linear', 'outFeatures'), '-3');
    assert.equal(neg.ok, false);
    assert.match(!neg.ok ? neg.error : '', /outFeatures must be at least 1, found -3/);
    assert.equal(parseAttrText(attr('Linear', 'outFeatures'), '2.5').ok, false);
    assert.equal(parseAttrText(attr('Linear', 'outFeatures'), 'abc').ok, false);
    assert.deepEqual(parseAttrText(attr('Dropout', 'p'), '0.25'), { ok: true, value: 0.25 });
    assert.equal(parseAttrText(attr('Dropout', 'p'), '1e400').ok, false);
    assert.deepEqual(parseAttrText(attr('Softmax', 'dim'), '-1'), { ok: true, value: -1 });
  });

  it('parses shapes, pairs and dims written "2, 3", "28x28" or as JSON', () => {
    const shape = attr('Input', 'shape');
    assert.deepEqual(parseAttrText(shape, '2, 3'), { ok: true, value: [2, 3] });
    assert.deepEqual(parseAttrText(shape, '[1, 28, 28]'), { ok: true, value: [1, 28, 28] });
    assert.deepEqual(parseAttrText(shape, '28x28'), { ok: true, value: [28, 28] });
    assert.deepEqual(parseAttrText(shape, '4'), { ok: true, value: [4] });
    assert.deepEqual(parseAttrText(shape, '[]'), { ok: true, value: [] });
    assert.equal(parseAttrText(shape, '2, -1').ok, false);
    assert.deepEqual(parseAttrText(attr('Reshape', 'shape'), '-1, 4'), { ok: true, value: [-1, 4] });
    const k = attr('Conv2d', 'kernelSize');
    assert.deepEqual(parseAttrText(k, '3'), { ok: true, value: 3 });
    assert.deepEqual(parseAttrText(k, '3, 5'), { ok: true, value: [3, 5] });
    assert.equal(parseAttrText(k, '3, 5, 7').ok, false);
    assert.deepEqual(parseAttrText(attr('Sum', 'dim'), '1, 2'), { ok: true, value: [1, 2] });
  });

  it('empty text leaves the attribute out (default), except for a required one', () => {
    assert.deepEqual(parseAttrText(attr('Dropout', 'p'), ''), { ok: true, value: null });
    assert.deepEqual(parseAttrText(attr('Sum', 'dim'), '  '), { ok: true, value: null });
    const req = parseAttrText(attr('Linear', 'outFeatures'), '');
    assert.equal(req.ok, false);
    assert.match(!req.ok ? req.error : '', /required/);
  });

  it('shows values and defaults', () => {
    assert.equal(formatAttr([2, 3]), '[2, 3]');
    assert.equal(formatAttr([]), '[]');
    assert.equal(attrFieldText([2, 3]), '2, 3');
    assert.equal(attrFieldText(16), '16');
    assert.equal(attrPlaceholder(attr('Dropout', 'p')), '0.5 (default)');
    assert.equal(attrPlaceholder(attr('Linear', 'outFeatures')), 'required');
    assert.equal(attrPlaceholder(attr('MaxPool2d', 'stride')), 'optional');
  });
});
