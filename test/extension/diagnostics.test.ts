// Where the engine's validation errors are shown in the text (extension/document/diagnostics.ts): the node's
// object, the edge's object, the attribute, the params key, the top-level key, or the JSON syntax error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { modelDiagnostics, type DiagnosticSpan } from '../../extension/document/diagnostics';

const XOR = readFileSync('examples/xor.nn.json', 'utf8');

const marked = (text: string, d: DiagnosticSpan) => text.slice(d.offset, d.offset + d.length);

function only(text: string, code: string): DiagnosticSpan[] {
  return modelDiagnostics(text).filter((d) => d.code === code);
}

test('a valid model has no diagnostics', () => {
  for (const f of ['xor.nn.json', 'mnist-cnn.nn.json', 'residual-mlp.nn.json'])
    assert.deepEqual(modelDiagnostics(readFileSync(`examples/${f}`, 'utf8')), [], f);
});

test('an attribute error marks `"name": value` in that node', () => {
  const text = XOR.replace('"outFeatures": 8', '"outFeatures": -8');
  const [d] = only(text, 'bad-attr');
  assert.equal(marked(text, d!), '"outFeatures": -8');
  assert.match(d!.message, /node "fc1" \(Linear\): attribute "outFeatures" must be at least 1/);
  const unknown = XOR.replace('"outFeatures": 8', '"outFeatures": 8, "units": 3');
  assert.equal(marked(unknown, only(unknown, 'unknown-attr')[0]!), '"units": 3');
  // A missing attribute: the op it belongs to.
  const missing = XOR.replace('"attrs": { "outFeatures": 8 }', '"attrs": {}');
  assert.equal(marked(missing, only(missing, 'missing-attr')[0]!), '"op": "Linear"');
});

test('an edge error marks the edge; a node error marks the node', () => {
  const text = XOR.replace('{ "from": "act1", "to": "fc2" }', '{ "from": "nope", "to": "fc2" }');
  assert.equal(marked(text, only(text, 'unknown-node')[0]!), '{ "from": "nope", "to": "fc2" }');
  const [missing] = only(text, 'missing-input');
  assert.equal(marked(text, missing!), '{ "id": "fc2",  "op": "Linear", "attrs": { "outFeatures": 2 } }');
  const taken = XOR.replace('{ "from": "y", "to": "loss", "port": 1 }', '{ "from": "y", "to": "loss", "port": 0 }');
  assert.equal(marked(taken, only(taken, 'port-taken')[0]!), '{ "from": "y", "to": "loss", "port": 0 }');
  // A shape error is pinned to the edge that brings the misfit input.
  const shape = XOR.replace('"shape": [2] }', '"shape": [2, 3, 4] }').replace(
    '"op": "Linear", "attrs": { "outFeatures": 8 }',
    '"op": "Conv2d", "attrs": { "outChannels": 8, "kernelSize": 9 }',
  );
  const s = modelDiagnostics(shape).find((d) => d.code === 'shape-mismatch')!;
  assert.equal(marked(shape, s), '{ "from": "x", "to": "fc1" }');
  const cycle = XOR.replace('{ "from": "x", "to": "fc1" }', '{ "from": "act1", "to": "fc1" }');
  const cycles = only(cycle, 'cycle');
  assert.ok(cycles.length >= 2);
  assert.ok(cycles.every((d) => /^\{ "id": "(fc1|act1)"/.test(marked(cycle, d))));
});

test('ids, duplicate ids and bad nodes mark the id or the item', () => {
  const text = XOR.replace('{ "id": "act1", "op": "ReLU" }', '{ "id": "1act", "op": "ReLU" }, { "id": "fc2", "op": "ReLU" }, 42');
  assert.equal(marked(text, only(text, 'invalid-id')[0]!), '"id": "1act"');
  assert.equal(marked(text, only(text, 'duplicate-id')[0]!), '"id": "fc2"');
  const first = text.indexOf('"id": "fc2"');
  assert.equal(only(text, 'duplicate-id')[0]!.offset, text.indexOf('"id": "fc2"', first + 1), 'the second fc2 in the file is marked');
  assert.equal(marked(text, only(text, 'bad-node')[0]!), '42');
});

test('params, training and top-level keys are marked where they are', () => {
  const params = XOR.replace(
    '"weights": "xor.safetensors",',
    '"params": { "fc1.bias": { "shape": [3], "data": [1, 2, 3] }, "ghost.weight": { "shape": [1], "data": [0] } },',
  );
  const bad = only(params, 'bad-params');
  assert.deepEqual(bad.map((d) => marked(params, d)).sort(), [
    '"fc1.bias": { "shape": [3], "data": [1, 2, 3] }',
    '"ghost.weight": { "shape": [1], "data": [0] }',
  ]);
  const training = XOR.replace('"lr": 0.01', '"lr": -1');
  assert.equal(marked(training, only(training, 'bad-training')[0]!), '"lr": -1');
  const name = XOR.replace('"name": "XOR classifier"', '"name": 7');
  assert.equal(marked(name, only(name, 'bad-format')[0]!), '"name": 7');
  const version = XOR.replace('"version": 1', '"version": 2');
  assert.equal(marked(version, only(version, 'unsupported-version')[0]!), '"version": 2');
  const format = XOR.replace('"format": "nn-graph",\n', '');
  assert.equal(marked(format, only(format, 'bad-format')[0]!), '{', 'a missing key marks the start of the file');
});

test('a JSON syntax error marks where the parser stopped', () => {
  const text = XOR.replace('"op": "ReLU" }', '"op": "ReLU" ');
  const [d] = modelDiagnostics(text);
  assert.equal(d!.code, 'bad-json');
  const line = text.slice(0, d!.offset).split('\n').length;
  assert.ok(line >= 8 && line <= 9, `line ${line}`);
  assert.equal(modelDiagnostics('')[0]!.code, 'bad-json');
});

test('a node spread over several lines is marked at its id, not as a whole block', () => {
  const text = JSON.stringify({ ...JSON.parse(XOR), edges: [] }, null, 2);
  const d = only(text, 'missing-input').find((x) => x.message.includes('"fc1"'))!;
  assert.equal(marked(text, d), '"id": "fc1"');
});
