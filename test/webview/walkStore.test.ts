// The walk-through's frames and marks (webview/walkthrough/walkStore.ts) on a real trace of a graph where a node
// feeds two consumers: the frames follow the trace's orders; a node is active, computed, differentiated or updated
// as the replay passes it; an edge is marked while a value flows in along it, while a gradient comes in or goes out,
// and keeps its gradient once its consumer has sent it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, Trainer, type Dataset } from '../../engine';
import { WalkStore, frameLabel } from '../../webview/walkthrough/walkStore';

// x → fc1 → a → fc2 → sum(a, fc2) → out → loss
const json = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'a', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'sum', op: 'Add' },
    { id: 'out', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [2] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'a' },
    { from: 'a', to: 'fc2' },
    { from: 'a', to: 'sum', port: 0 },
    { from: 'fc2', to: 'sum', port: 1 },
    { from: 'sum', to: 'out' },
    { from: 'out', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
};
const data: Dataset = {
  n: 2,
  inputs: Float32Array.from([1, 2, 3, -1, 0, 1]),
  inputShape: [3],
  targets: Float32Array.from([1, 0, 0, 1]),
  targetShape: [2],
  targetDtype: 'float32',
};

async function store() {
  const trainer = new Trainer(GraphModel.create(JSON.stringify(json)), data, null, { batchSize: 2, epochs: 1, seed: 0 });
  const { trace } = await trainer.trainStepTraced();
  const s = new WalkStore();
  s.load(trace);
  return { s, trace };
}
const to = (s: WalkStore, phase: string, node: string) => s.goTo(s.frames.findIndex((f) => f.phase === phase && f.node === node));
const marks = (s: WalkStore) => Object.fromEntries(json.nodes.map((n) => [n.id, s.nodeMark(n.id)]));
const edgeMarks = (s: WalkStore) => json.edges.map((_, i) => s.edgeMark(i));

test("frames: forward, backward, update, in the trace's orders; moving clamps at both ends", async () => {
  const { s, trace } = await store();
  assert.deepEqual(
    s.frames.map((f) => `${f.phase}:${f.node}`),
    [...trace.forward.map((f) => `forward:${f.node}`), ...trace.backward.map((b) => `backward:${b.node}`), ...trace.update.map((u) => `update:${u.node}`)],
  );
  assert.equal(frameLabel(s.frame!), 'forward 1/6 · fc1');
  s.previous();
  assert.equal(s.at, 0);
  s.end();
  assert.equal(frameLabel(s.frame!), 'update 3/3 · out');
  s.next();
  assert.ok(s.atEnd);
  s.close();
  assert.equal(s.frame, null);
  assert.equal(s.nodeMark('fc1'), null, 'closed: no marks');
  assert.equal(s.edgeMark(1), null);
});

test('marks: the active node, what is computed, differentiated and updated; values flowing in, gradients in and out', async () => {
  const { s } = await store();
  to(s, 'forward', 'sum');
  assert.deepEqual(marks(s), { x: 'computed', fc1: 'computed', a: 'computed', fc2: 'computed', sum: 'active', out: null, y: 'computed', loss: null });
  assert.deepEqual(edgeMarks(s), [null, null, null, 'flow', 'flow', null, null, null], 'a → sum and fc2 → sum flow into it');

  // a's backward: it receives along both of its outgoing edges, sends along fc1 → a; the edges sent earlier keep theirs.
  to(s, 'backward', 'a');
  const m = marks(s);
  assert.equal(m.a, 'active');
  for (const id of ['loss', 'out', 'sum', 'fc2']) assert.equal(m[id], 'differentiated', id);
  assert.equal(m.fc1, 'computed', 'not yet differentiated');
  assert.deepEqual(edgeMarks(s), [null, 'grad-out', 'grad-in', 'grad-in', 'grad', 'grad', 'grad', null]);
  assert.equal(s.edgeGrad(0), null, 'x → fc1 never carries a gradient (x is fed)');
  assert.equal(s.edgeGrad(7), null, 'nor y → loss');
  assert.ok(s.edgeGrad(2)?.grad, 'a → fc2 carries its gradient');

  // An edge the document no longer has at that index (edited since the walk) gets no mark.
  assert.equal(s.edgeMark(2, 'a', 'fc2'), 'grad-in');
  assert.equal(s.edgeMark(2, 'fc1', 'fc2'), null);
  assert.equal(s.edgeGrad(2, 'x', 'out'), null);

  to(s, 'update', 'fc2');
  assert.deepEqual([s.nodeMark('fc1'), s.nodeMark('fc2'), s.nodeMark('out'), s.nodeMark('a')], ['updated', 'active', 'differentiated', 'differentiated']);
  assert.deepEqual(edgeMarks(s), [null, 'grad', 'grad', 'grad', 'grad', 'grad', 'grad', null]);
});

test('a listener hears each move once, and nothing when the frame does not change', async () => {
  const { s } = await store();
  let heard = 0;
  s.subscribe(() => heard++);
  s.next();
  s.next();
  s.goTo(1);
  s.goTo(-5);
  s.goTo(0);
  assert.equal(heard, 4, 'two moves forward, one back to 1, one to 0 (clamped); going to 0 again is none');
});
