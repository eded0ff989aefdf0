import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { allOps, buildJsonSchema, CATEGORIES } from '../../engine';
import { FED, TRAINING_ONLY } from '../../engine/codegen/lowering';

/**
 * The one pinned list of ops: the format spec's (../shared/spec/graph-format.md, docs/file-format.md). Every other
 * test derives its ops from the registry, so this is where a new op is first written down outside its declaration.
 */
const SPEC_OPS = [
  'Input',
  'Target',
  'Linear',
  'Conv2d',
  'MaxPool2d',
  'AvgPool2d',
  'Flatten',
  'Reshape',
  'ReLU',
  'Tanh',
  'Sigmoid',
  'Exp',
  'Log',
  'Neg',
  'LeakyReLU',
  'GELU',
  'Softmax',
  'LogSoftmax',
  'Dropout',
  'BatchNorm1d',
  'LayerNorm',
  'Embedding',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sum',
  'Mean',
  'Concat',
  'MSELoss',
  'CrossEntropyLoss',
  'BCEWithLogitsLoss',
];

test('the registry has exactly the ops of the format spec, each in a palette category', () => {
  assert.deepEqual(
    allOps()
      .map((o) => o.op)
      .sort(),
    [...SPEC_OPS].sort(),
  );
  for (const o of allOps()) assert.ok(CATEGORIES.includes(o.category), `${o.op}: ${o.category}`);
});

test('every op declares every lowering: sources are fed, Targets and losses are for training only, every other op is written out', () => {
  for (const o of allOps()) {
    const { engine, standalone, pytorch, onnx } = o.lower;
    assert.equal(typeof pytorch.forward, 'function', `${o.op}: model.py computes every node, sources and losses included`);
    assert.equal(pytorch.module === undefined || typeof pytorch.module === 'function', true, `${o.op}: a PyTorch layer is a constructor`);
    if (o.isSource) {
      assert.equal(engine, FED, `${o.op} is fed by the caller`);
      const inference = o.op === 'Input' ? FED : TRAINING_ONLY;
      assert.deepEqual([standalone, onnx], [inference, inference], `${o.op}: inference reads Inputs, never Targets`);
    } else if (o.isLoss) {
      assert.equal(typeof engine, 'function', `${o.op}: the engine target computes the loss`);
      assert.deepEqual([standalone, onnx], [TRAINING_ONLY, TRAINING_ONLY], `${o.op}: inference never computes a loss`);
    } else {
      for (const [target, lowering] of Object.entries({ engine, standalone, onnx })) assert.equal(typeof lowering, 'function', `${o.op}: ${target} lowering`);
    }
  }
});

test('every registered op says what it computes: a one-line formula for the node hover card', () => {
  for (const o of allOps()) {
    assert.equal(typeof o.formula, 'string', `${o.op} has no formula`);
    assert.ok(o.formula.trim().length > 0, `${o.op}: the formula is empty`);
    assert.ok(!/\n/.test(o.formula), `${o.op}: the formula is one line`);
    if (o.formulaNote !== undefined)
      assert.ok(o.formulaNote.trim().length > 0 && !/\n/.test(o.formulaNote), `${o.op}: the formula's note is one non-empty line`);
  }
});

test("every op but the fed sources says what its backward applies: the walk-through's chain-rule step", () => {
  for (const o of allOps()) {
    if (o.isSource) {
      assert.equal(o.backwardNote, undefined, `${o.op} is fed, never differentiated`);
      continue;
    }
    assert.equal(typeof o.backwardNote, 'string', `${o.op} has no backwardNote`);
    assert.ok(/^(∂ℓ\/∂|through )/.test(o.backwardNote!), `${o.op}: the note names the gradient it gives: ${o.backwardNote}`);
    assert.ok(!/\n/.test(o.backwardNote!), `${o.op}: one line`);
  }
});

test('docs/file-format.md names every op and attribute of the registry', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'file-format.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Ops'));
  for (const o of allOps()) {
    assert.match(table, new RegExp(`\\b${o.op}\\b`), `op ${o.op} missing from docs/file-format.md`);
    for (const a of o.attrs) assert.match(table, new RegExp(`\\b${a.name}\\b`), `${o.op}.${a.name} missing from docs/file-format.md`);
  }
});

test('the JSON Schema lists every op and requires the attributes without defaults', () => {
  const schema = buildJsonSchema() as {
    properties: {
      nodes: {
        items: {
          properties: { op: { enum: string[] } };
          allOf: { if: { properties: { op: { const: string } } }; then: { properties: { attrs: { required?: string[] } } } }[];
        };
      };
    };
  };
  const items = schema.properties.nodes.items;
  assert.deepEqual([...items.properties.op.enum].sort(), [...SPEC_OPS].sort());
  const linear = items.allOf.find((v) => v.if.properties.op.const === 'Linear')!;
  assert.deepEqual(linear.then.properties.attrs.required, ['outFeatures']);
  const relu = items.allOf.find((v) => v.if.properties.op.const === 'ReLU')!;
  assert.equal(relu.then.properties.attrs.required, undefined);
});

test('the build ships the generated schema where package.json points', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const url: string = pkg.contributes.jsonValidation[0].url;
  const p = join(__dirname, '..', '..', url);
  assert.ok(existsSync(p), `${url} is missing: run npm run build`);
  assert.deepEqual(JSON.parse(readFileSync(p, 'utf8')), JSON.parse(JSON.stringify(buildJsonSchema())));
});
