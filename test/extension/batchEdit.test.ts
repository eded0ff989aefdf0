// The batch and setOp edits (protocol/messages.ts): checked by protocol/validate.ts like any edit (each item of
// a batch exactly as if it came alone), applied by extension/document/graphEdits.ts as one text, in order,
// all or nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeModel } from '../../engine/graph/analyze';
import type { ModelJson } from '../../engine/graph/types';
import { applyGraphEdit } from '../../extension/document/graphEdits';
import { MAX_BATCH_EDITS, type GraphEdit } from '../../protocol/messages';
import { parseWebviewMessage } from '../../protocol/validate';

const XOR = readFileSync('examples/xor.nn.json', 'utf8');
const parse = (edit: unknown) => parseWebviewMessage({ type: 'edit', version: 1, edit });
const error = (edit: unknown): string => {
  const r = parse(edit);
  if (r.ok) assert.fail(`accepted: ${JSON.stringify(edit).slice(0, 200)}`);
  return r.error;
};
const apply = (text: string, edit: GraphEdit): string => {
  const r = applyGraphEdit(text, edit);
  assert.ok(r.ok, `refused: ${!r.ok && r.reason}`);
  return r.text;
};
const refusal = (text: string, edit: GraphEdit): string => {
  const r = applyGraphEdit(text, edit);
  assert.equal(r.ok, false, 'the edit was applied');
  return (r as { reason: string }).reason;
};
const model = (text: string) => JSON.parse(text) as ModelJson;
const node = (text: string, id: string) => model(text).nodes.find((n) => n.id === id)!;

// The rewire the training panel offers for regress-plane on the xor example (CrossEntropyLoss, int32 Target).
const REWIRE: GraphEdit = {
  kind: 'batch',
  label: 'Use Regression: plane and rewire for regression',
  edits: [
    { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-plane' },
    { kind: 'setAttr', nodeId: 'fc2', attr: 'outFeatures', value: 1 },
    { kind: 'setAttr', nodeId: 'y', attr: 'dtype', value: 'float32' },
    { kind: 'setAttr', nodeId: 'y', attr: 'shape', value: [1] },
    { kind: 'setOp', nodeId: 'loss', op: 'MSELoss' },
  ],
};

test('a batch and setOp are accepted as equal copies', () => {
  for (const edit of [REWIRE, { kind: 'setOp', nodeId: 'loss', op: 'MSELoss' }, { kind: 'batch', label: '', edits: [{ kind: 'setName', name: 'n' }] }]) {
    const r = parse(structuredClone(edit));
    assert.ok(r.ok, !r.ok ? r.error : '');
    assert.deepEqual(JSON.parse(JSON.stringify(r.msg)), { type: 'edit', version: 1, edit });
  }
});

test('every item of a batch is checked as if it came alone, and the reason names the item', () => {
  // What a lone edit is refused for, the same item inside a batch is refused for, at its index.
  const bad: unknown[] = [
    { kind: 'setAttr', nodeId: '1x', attr: 'p', value: 1 },
    { kind: 'setAttr', nodeId: 'x', attr: 'p', value: Infinity },
    { kind: 'setTraining', path: [], value: 1 },
    { kind: 'addNodes', nodes: [], edges: [] },
    { kind: 'setOp', nodeId: 'x', op: 'Not an op' },
    { kind: 'setOp', nodeId: 'x', op: 'ReLU', extra: 1 },
    { kind: 'frobnicate' },
  ];
  for (const item of bad) {
    const alone = error(item);
    const inBatch = error({ kind: 'batch', label: 'b', edits: [{ kind: 'setName', name: 'ok' }, item] });
    assert.equal(inBatch, alone.replace('edit.edit', 'edit.edit.edits[1]'), JSON.stringify(item));
  }
});

test('a batch is bounded: no nesting, no rename, at least one and at most MAX_BATCH_EDITS items, a short label', () => {
  const one = { kind: 'setName', name: 'n' };
  assert.match(
    error({ kind: 'batch', label: 'b', edits: [{ kind: 'batch', label: 'inner', edits: [one] }] }),
    /edit\.edit\.edits\[0\]\.kind: a batch cannot hold another batch/,
  );
  assert.match(error({ kind: 'batch', label: 'b', edits: [{ kind: 'renameNode', from: 'a', to: 'b' }] }), /edits\[0\]\.kind: a batch cannot rename a node/);
  assert.match(error({ kind: 'batch', label: 'b', edits: [] }), /must hold at least one edit/);
  assert.ok(parse({ kind: 'batch', label: 'b', edits: Array(MAX_BATCH_EDITS).fill(one) }).ok);
  assert.match(error({ kind: 'batch', label: 'b', edits: Array(MAX_BATCH_EDITS + 1).fill(one) }), new RegExp(`at most ${MAX_BATCH_EDITS} items`));
  // The size is checked before any item is walked: a huge list costs nothing.
  const huge = { kind: 'batch', label: 'b', edits: Array(1_000_000).fill(one) };
  const t0 = performance.now();
  assert.match(error(huge), /at most/);
  assert.ok(performance.now() - t0 < 50, `${performance.now() - t0} ms`);
  assert.match(error({ kind: 'batch', label: 'x'.repeat(201), edits: [one] }), /label: must be at most 200 characters/);
  assert.match(error({ kind: 'batch', edits: [one] }), /missing "label"/);
  assert.match(error({ kind: 'batch', label: 'b', edits: { 0: one } }), /edits: must be an array/);
});

test('a batch applies its edits in order, each to the text the previous left, as one new text', () => {
  const out = apply(XOR, REWIRE);
  const m = model(out);
  assert.equal((m.training as { dataset: { source: string } }).dataset.source, 'regress-plane');
  assert.deepEqual(node(out, 'fc2').attrs, { outFeatures: 1 });
  assert.deepEqual(node(out, 'y').attrs, { shape: [1], dtype: 'float32' });
  assert.equal(node(out, 'loss').op, 'MSELoss');
  // The rewired model is whole: no diagnostic.
  assert.deepEqual(
    analyzeModel(out).errors.map((e) => e.message),
    [],
  );
  // The same result as the edits one by one.
  const oneByOne = (REWIRE as Extract<GraphEdit, { kind: 'batch' }>).edits.reduce(apply, XOR);
  assert.equal(out, oneByOne);
  // Order matters: a later edit sees an earlier one's node.
  const added = apply(XOR, {
    kind: 'batch',
    label: 'add and wire',
    edits: [
      { kind: 'addNodes', nodes: [{ id: 'extra', op: 'ReLU' }], edges: [] },
      { kind: 'connect', edge: { from: 'fc2', to: 'extra' } },
      { kind: 'setOp', nodeId: 'extra', op: 'Tanh' },
    ],
  });
  assert.equal(node(added, 'extra').op, 'Tanh');
  assert.ok(model(added).edges!.some((e) => e.from === 'fc2' && e.to === 'extra'));
});

test('one refused item refuses the whole batch, naming it; nothing is changed', () => {
  const edits: GraphEdit[] = [
    { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-plane' },
    { kind: 'setAttr', nodeId: 'y', attr: 'dtype', value: 'float32' },
    { kind: 'setOp', nodeId: 'ghost', op: 'MSELoss' },
  ];
  const r = applyGraphEdit(XOR, { kind: 'batch', label: 'Rewire', edits });
  assert.equal(r.ok, false);
  assert.equal(
    (r as { reason: string }).reason,
    'Rewire: edit 3 of 3 (making "ghost" a MSELoss) was refused: There is no node "ghost" in the file (it may have been changed in the text editor). Nothing was changed.',
  );
  assert.match(
    refusal(XOR, { kind: 'batch', label: 'B', edits: [{ kind: 'setAttr', nodeId: 'x', attr: 'dtype', value: 'float64' }] }),
    /^B: edit 1 of 1 \(setting "dtype" of "x"\) was refused: .*must be one of "float32", "int32".* Nothing was changed\.$/,
  );
  // Items the protocol refuses are refused here too, for callers inside the host.
  assert.match(refusal(XOR, { kind: 'batch', label: 'B', edits: [{ kind: 'renameNode', from: 'fc1', to: 'z' }] }), /a rename cannot be part of a batch/);
  assert.match(refusal(XOR, { kind: 'batch', label: 'B', edits: [REWIRE] }), /a batch cannot hold another/);
  assert.match(refusal(XOR, { kind: 'batch', label: 'B', edits: [] }), /holds no edit/);
  assert.match(refusal(XOR, { kind: 'batch', label: 'B', edits: Array(MAX_BATCH_EDITS + 1).fill({ kind: 'setName', name: 'n' }) }), /at most 16 edits/);
});

test('a batch that asks for what the file says changes nothing', () => {
  const r = applyGraphEdit(XOR, {
    kind: 'batch',
    label: 'same',
    edits: [
      { kind: 'setTraining', path: ['dataset', 'source'], value: 'inline' },
      { kind: 'setOp', nodeId: 'loss', op: 'CrossEntropyLoss' },
    ],
  });
  assert.ok(r.ok && !r.changed && r.text === XOR);
  // Two edits that undo each other: the text is the same, so nothing to apply.
  const back = applyGraphEdit(XOR, {
    kind: 'batch',
    label: 'there and back',
    edits: [
      { kind: 'setName', name: 'other' },
      { kind: 'setName', name: model(XOR).name! },
    ],
  });
  assert.ok(back.ok && !back.changed);
});

test('setOp keeps the id, position and edges, and drops the attributes and inline values the new op cannot take', () => {
  const out = apply(XOR, { kind: 'setOp', nodeId: 'loss', op: 'MSELoss' });
  const lines = (t: string) => t.split('\n');
  // One line changes: the loss node's.
  const changed = lines(out).filter((l, i) => l !== lines(XOR)[i]);
  assert.equal(changed.length, 1);
  assert.equal(changed[0], '    { "id": "loss", "op": "MSELoss" }');
  assert.deepEqual(model(out).edges, model(XOR).edges);
  const x = apply(XOR, { kind: 'setOp', nodeId: 'x', op: 'Target' });
  assert.deepEqual(node(x, 'x'), { id: 'x', op: 'Target', attrs: { shape: [2] }, ui: { x: 40, y: 120 } });

  // A BatchNorm1d with inline values becomes a LayerNorm: eps stays, momentum goes, and so do its values.
  const bn = JSON.stringify(
    {
      format: 'nn-graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Input', attrs: { shape: [3] } },
        { id: 'bn', op: 'BatchNorm1d', attrs: { eps: 0.001, momentum: 0.2 }, ui: { x: 5, y: 6 } },
        { id: 'act', op: 'LeakyReLU', attrs: { negativeSlope: 0.2 } },
      ],
      edges: [
        { from: 'x', to: 'bn' },
        { from: 'bn', to: 'act' },
      ],
      params: { 'bn.weight': { shape: [3], data: [1, 1, 1] }, 'bn.bias': { shape: [3], data: [0, 0, 0] }, 'bnx.weight': { shape: [1], data: [2] } },
    },
    null,
    2,
  );
  const ln = apply(bn, { kind: 'setOp', nodeId: 'bn', op: 'LayerNorm' });
  assert.deepEqual(node(ln, 'bn'), { id: 'bn', op: 'LayerNorm', attrs: { eps: 0.001 }, ui: { x: 5, y: 6 } });
  assert.deepEqual(Object.keys(model(ln).params!), ['bnx.weight']);
  // Every attribute dropped: "attrs" goes, and the neighbouring op change still applies.
  const relu = apply(bn, { kind: 'setOp', nodeId: 'act', op: 'ReLU' });
  assert.deepEqual(node(relu, 'act'), { id: 'act', op: 'ReLU' });
  // On a one-line file too.
  const oneLine = JSON.stringify(JSON.parse(bn));
  assert.deepEqual(node(apply(oneLine, { kind: 'setOp', nodeId: 'act', op: 'ReLU' }), 'act'), { id: 'act', op: 'ReLU' });
  assert.deepEqual(node(apply(oneLine, { kind: 'setOp', nodeId: 'bn', op: 'LayerNorm' }), 'bn'), {
    id: 'bn',
    op: 'LayerNorm',
    attrs: { eps: 0.001 },
    ui: { x: 5, y: 6 },
  });
});

test('setOp is refused for an unknown op, an unknown node, and a port the new op lacks', () => {
  assert.match(refusal(XOR, { kind: 'setOp', nodeId: 'loss', op: 'Frobnicate' }), /Unknown op "Frobnicate"/);
  assert.match(refusal(XOR, { kind: 'setOp', nodeId: 'ghost', op: 'ReLU' }), /no node "ghost"/);
  assert.equal(refusal(XOR, { kind: 'setOp', nodeId: 'loss', op: 'ReLU' }), 'Node "loss" cannot become ReLU: ReLU has 1 input port, and "y" feeds its port 1.');
  assert.match(refusal(XOR, { kind: 'setOp', nodeId: 'fc1', op: 'Input' }), /cannot become Input: Input takes no inputs, and "x" feeds its port 0/);
});
