// Flow control of training updates to a webview (extension/training/trainingFeed.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingFeed } from '../../extension/training/trainingFeed';
import type { HostMessage } from '../../protocol/messages';

const grad = (step: number): HostMessage => ({ type: 'gradients', update: { step, edges: [step], flags: [null], paramNorms: {} } });
const state = (step: number): HostMessage => ({
  type: 'trainingState',
  status: 'running',
  progress: { step, epoch: 0, epochs: 1, stepsPerEpoch: 100, loss: 1, samplesPerSecond: 1 },
});
const stepOf = (m: HostMessage) => (m.type === 'gradients' ? m.update.step : m.type === 'trainingState' ? m.progress!.step : -1);

function feed(window: number, clock = { t: 0 }) {
  const sent: HostMessage[] = [];
  const f = new TrainingFeed((m) => sent.push(m), { window, ackTimeoutMs: 1000, now: () => clock.t });
  return { f, sent, clock };
}

test('a busy view gets the newest update of each kind, never a queue of old ones', () => {
  const { f, sent } = feed(1);
  for (let s = 1; s <= 50; s++) f.post(grad(s));
  assert.deepEqual(sent.map(stepOf), [1], 'only one message goes out before the view has drawn it');
  f.ack();
  assert.deepEqual(sent.map(stepOf), [1, 50], 'after the acknowledgement, the newest one, none between');
  f.ack();
  assert.equal(sent.length, 2, 'nothing is sent twice');
  f.dispose();
});

test('kinds are kept apart and sent in the order they became due', () => {
  const { f, sent } = feed(1);
  f.post(grad(1));
  f.post(state(2));
  f.post(grad(3));
  f.post(state(4));
  f.ack();
  f.ack();
  f.ack();
  assert.deepEqual(
    sent.map((m) => `${m.type}:${stepOf(m)}`),
    ['gradients:1', 'trainingState:4', 'gradients:3'],
  );
  f.dispose();
});

test('the document and other messages are never held back', () => {
  const { f, sent } = feed(1);
  f.post(grad(1));
  f.post({ type: 'document', uri: 'file:///a.nn.json', text: '{}', version: 3, readOnly: false });
  f.post({ type: 'editRejected', reason: 'no' });
  assert.deepEqual(
    sent.map((m) => m.type),
    ['gradients', 'document', 'editRejected'],
  );
  f.dispose();
});

test('without acknowledgements (a view that reloaded or hid), updates resume after the timeout', () => {
  const { f, sent, clock } = feed(2);
  f.post(grad(1));
  f.post(state(1));
  f.post(grad(2));
  assert.equal(sent.length, 2);
  clock.t = 999;
  f.post(grad(3));
  assert.equal(sent.length, 2, 'still waiting before the timeout');
  clock.t = 1000;
  f.post(grad(4));
  assert.deepEqual(sent.map(stepOf), [1, 1, 4]);
  f.dispose();
});

test('a view that reloads starts with nothing in flight', () => {
  const { f, sent } = feed(1);
  f.post(grad(1));
  f.post(grad(2));
  assert.equal(sent.length, 1);
  f.reset();
  assert.deepEqual(sent.map(stepOf), [1, 2]);
  f.dispose();
});

test('with a window of four, steady acknowledgements let every update through in order', () => {
  const { f, sent } = feed(4);
  for (let s = 1; s <= 20; s++) {
    f.post(grad(s));
    f.ack();
  }
  assert.deepEqual(
    sent.map(stepOf),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  f.dispose();
});

test('a real run sent to a view that draws one message at a time ends with every view at the last step', async () => {
  const { runTraining } = await import('../../engine/train/run');
  const { hostMessagesOf } = await import('../browser/fixtures/record-training');
  const model = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'act', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 20, epochs: 4, validationSplit: 0.2, dataset: { source: 'circle', size: 200 } },
  };
  let t = 0;
  const worker: import('../../extension/training/workerProtocol').FromWorker[] = [];
  // A clock 5 ms a call: the overlay (20/s), node statistics and boundary (4/s) send only some steps.
  await runTraining(
    { modelText: JSON.stringify(model), sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 8 } },
    (m) => worker.push(m),
    { next: async () => 'go' },
    () => (t += 5),
  );
  const S = 4 * 8; // 160 training points, 20 a batch
  const { f, sent } = feed(4);
  // The run is faster than the view: everything is posted before the view has drawn anything.
  for (const m of hostMessagesOf(worker)) f.post(m);
  for (let i = 0; i < 200; i++) f.ack();
  const lastOf = (type: string) => sent.filter((m) => m.type === type).at(-1);
  const state = lastOf('trainingState');
  assert.ok(state?.type === 'trainingState' && state.status === 'completed');
  assert.equal(state.progress?.step, S);
  const g = lastOf('gradients'),
    b = lastOf('boundary'),
    n = lastOf('nodeStats'),
    c = lastOf('stepCosts'),
    metrics = lastOf('trainingMetrics');
  assert.equal(g?.type === 'gradients' && g.update.step, S);
  assert.equal(c?.type === 'stepCosts' && c.step, S);
  assert.equal(b?.type === 'boundary' && b.step, S);
  assert.equal(n?.type === 'nodeStats' && n.step, S);
  assert.equal(metrics?.type === 'trainingMetrics' && metrics.history.length, 4);
  assert.ok(sent.length < hostMessagesOf(worker).length, 'older updates of a kind were dropped, not queued');
  f.dispose();
});
