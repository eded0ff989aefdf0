// The sidecar helpers (extension/document/sidecar.ts) and the minimal text diff the host turns into a
// WorkspaceEdit (extension/document/textDiff.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors } from '../../engine/io/safetensors';
import { applyTextEdits } from '../../extension/document/jsonText';
import { copySidecarKeys, pruneSidecar, resolveSidecarPath } from '../../extension/document/sidecar';
import { diffTexts } from '../../extension/document/textDiff';

test('the sidecar path: relative, a .safetensors file, inside the workspace folder', () => {
  assert.deepEqual(resolveSidecarPath('/ws/models/m.nn.json', 'm.safetensors', '/ws'), { path: '/ws/models/m.safetensors' });
  assert.deepEqual(resolveSidecarPath('/ws/models/m.nn.json', './w/m.safetensors', '/ws'), { path: '/ws/models/w/m.safetensors' });
  assert.deepEqual(resolveSidecarPath('/ws/models/m.nn.json', '../weights/m.safetensors', '/ws'), { path: '/ws/weights/m.safetensors' });
  assert.deepEqual(resolveSidecarPath('/ws/models/m.nn.json', 'w\\m.safetensors', '/ws'), { path: '/ws/models/w/m.safetensors' });
  for (const bad of [
    '../../etc/x.safetensors',
    '/etc/x.safetensors',
    'C:/x.safetensors',
    '\\\\server\\x.safetensors',
    'm.json',
    'm.safetensors\0.txt',
    '../../../../../../x.safetensors',
  ]) {
    assert.ok('error' in resolveSidecarPath('/ws/models/m.nn.json', bad, '/ws'), bad);
  }
  // No workspace folder: the model's own folder is the limit.
  assert.ok('error' in resolveSidecarPath('/home/u/m.nn.json', '../x.safetensors', '/home/u'));
});

const f32 = (...v: number[]) => ({ dtype: 'F32' as const, shape: [v.length], data: Float32Array.from(v) });

test('a rename copies the node’s tensors to the new keys and keeps the rest; pruning removes unused copies', () => {
  const bytes = encodeSafetensors({ 'fc1.weight': f32(1, 2), 'fc1.bias': f32(3), 'fc10.weight': f32(9), 'act.x': f32(5) }, { trained: 'yes' });
  const out = copySidecarKeys(bytes, 'fc1', 'hidden')!;
  const file = decodeSafetensors(out);
  assert.deepEqual(Object.keys(file.tensors).sort(), ['act.x', 'fc1.bias', 'fc1.weight', 'fc10.weight', 'hidden.bias', 'hidden.weight']);
  assert.deepEqual([...file.tensors['hidden.weight']!.data], [1, 2]);
  assert.deepEqual(file.metadata, { trained: 'yes' });
  assert.equal(copySidecarKeys(bytes, 'ghost', 'x'), null, 'nothing to copy, nothing written');
  // After a saved rename the old keys go; after an undone one the new keys go. Other ids are never touched.
  const saved = decodeSafetensors(pruneSidecar(out, new Set(['hidden', 'act']), new Set(['fc1', 'hidden']))!);
  assert.deepEqual(Object.keys(saved.tensors).sort(), ['act.x', 'fc10.weight', 'hidden.bias', 'hidden.weight']);
  const undone = decodeSafetensors(pruneSidecar(out, new Set(['fc1', 'act']), new Set(['fc1', 'hidden']))!);
  assert.deepEqual(Object.keys(undone.tensors).sort(), ['act.x', 'fc1.bias', 'fc1.weight', 'fc10.weight']);
  assert.equal(pruneSidecar(out, new Set(['fc1', 'hidden']), new Set(['fc1', 'hidden'])), null);
  assert.throws(() => copySidecarKeys(new Uint8Array([1, 2, 3]), 'a', 'b'));
});

test('the diff is exact, small, and never splits a CRLF or a surrogate pair', () => {
  const rnd = (() => {
    let s = 12345;
    return (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
  })();
  for (let iter = 0; iter < 2000; iter++) {
    const eol = rnd(2) ? '\r\n' : '\n';
    const words = ['a', 'bb', '😀', '{ "id": "x" },', '', '  "edges": ['];
    const lines = Array.from({ length: rnd(40) }, () => words[rnd(words.length)]! + eol);
    const a = lines.join('') + (rnd(2) ? 'end' : '');
    const b2 = [...lines];
    for (let k = rnd(5); k > 0; k--) {
      const i = rnd(b2.length + 1);
      const op = rnd(3);
      if (op === 0) b2.splice(i, 1);
      else if (op === 1) b2.splice(i, 0, words[rnd(words.length)]! + 'x' + eol);
      else if (b2[i]) b2[i] = '😀' + b2[i];
    }
    const b = b2.join('') + (rnd(2) ? 'end' : '');
    const edits = diffTexts(a, b);
    assert.equal(applyTextEdits(a, edits), b);
    for (const e of edits) {
      for (const at of [e.offset, e.offset + e.length]) {
        assert.ok(!(a[at - 1] === '\r' && a[at] === '\n'), 'split CRLF');
        const c = a.charCodeAt(at);
        assert.ok(!(c >= 0xdc00 && c <= 0xdfff), 'split surrogate pair');
      }
    }
  }
  // One changed number in a long file: one tiny edit.
  const long = Array.from({ length: 5000 }, (_, i) => `    { "id": "n${i}", "op": "ReLU", "ui": { "x": ${i}, "y": 0 } },\n`).join('');
  const changed = long.replace('"x": 2500,', '"x": 17,');
  assert.deepEqual(diffTexts(long, changed), [{ offset: long.indexOf('"x": 2500,') + 5, length: 4, content: '17' }]);
  // Very different texts still give a correct (if larger) edit.
  const other = Array.from({ length: 3000 }, (_, i) => `line ${i * 7}\n`).join('');
  assert.equal(applyTextEdits(long, diffTexts(long, other)), other);
});
