// The run's cost meter messages (engine/train/run.ts): every step is timed, the figures are posted throttled,
// and whenever the run comes to rest (stopped, paused, finished, a NaN) the step it rests at has its costs posted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backend, CpuBackend, GraphModel, nodeFlops, setBackend, updateFlops } from '../../engine';
import { runTraining, type RunControl } from '../../engine/train/run';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';
import type { StepCostsMessage } from '../../protocol/messages';

function mlp(extra: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
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
    training: {
      seed: 0,
      optimizer: { type: 'Adam', lr: 0.03 },
      batchSize: 32,
      epochs: 3,
      validationSplit: 0.2,
      dataset: { source: 'xor', size: 400, noise: 0 },
    },
    ...extra,
  };
}

const OPTS: RunOptions = { overlay: false, maxUpdatesPerSecond: 20, boundaryGrid: 0 };
const costsOf = (msgs: FromWorker[]) => msgs.filter((m): m is StepCostsMessage => m.type === 'stepCosts');
const lastProgress = (msgs: FromWorker[]) => msgs.filter((m) => m.type === 'progress').at(-1) as Extract<FromWorker, { type: 'progress' }>;

test('a stopped run posts the costs of the step it stopped at, though the throttle held back the steps before it', async () => {
  let calls = 0;
  const stopAt: RunControl = { next: async () => (++calls > 6 ? 'stop' : 'go') };
  const msgs: FromWorker[] = [];
  // A clock that never advances: after the first step, the throttle lets no costs through until the run rests.
  await runTraining(
    { modelText: JSON.stringify(mlp()), sidecar: null, external: {}, options: OPTS },
    (m) => msgs.push(m),
    stopAt,
    () => 0,
  );
  const costs = costsOf(msgs);
  assert.deepEqual(
    costs.map((c) => c.step),
    [1, 6],
  );
  assert.ok(msgs.indexOf(costs[1]) < msgs.findIndex((m) => m.type === 'finished'), 'before the run ends');
  const c = costs[1];
  assert.equal(c.batch, 32);
  for (const k of ['forwardMs', 'backwardMs', 'updateMs'] as const) assert.ok(Number.isFinite(c[k]) && c[k] > 0, `${k}: ${c[k]}`);
  // Every computed node, in the compiled order, timed (one loss: no op outside the nodes), with its analytic FLOPs.
  const model = GraphModel.create(JSON.stringify(mlp()));
  const flops = nodeFlops(model.analysis, 32);
  assert.deepEqual(
    c.nodes.map((n) => n.id),
    [...flops.keys()],
  );
  for (const n of c.nodes) {
    assert.ok(n.forwardMs > 0 && n.backwardMs > 0, `${n.id}: ${n.forwardMs}, ${n.backwardMs}`);
    assert.deepEqual([n.forwardFlops, n.backwardFlops], [flops.get(n.id)!.forward, flops.get(n.id)!.backward], n.id);
  }
  assert.equal(c.nodes.find((n) => n.id === 'fc1')!.op, 'Linear');
  assert.equal(c.flops.update, updateFlops({ type: 'Adam' }, 2 * 8 + 8 + 8 * 2 + 2));
  // Per node within the step's phases.
  assert.ok(c.nodes.reduce((s, n) => s + n.forwardMs, 0) <= c.forwardMs);
  assert.ok(c.nodes.reduce((s, n) => s + n.backwardMs, 0) <= c.backwardMs);
});

test('a paused run settles its costs at the step it waits after; a finished one at its last step', async () => {
  const msgs: FromWorker[] = [];
  let n = 0;
  let atPause: number[] = [];
  const pauseOnce: RunControl = {
    next: async (settle) => {
      if (++n === 5) {
        await settle();
        atPause = costsOf(msgs).map((c) => c.step);
      }
      return 'go';
    },
  };
  await runTraining(
    { modelText: JSON.stringify(mlp()), sidecar: null, external: {}, options: OPTS },
    (m) => msgs.push(m),
    pauseOnce,
    () => 0,
  );
  assert.deepEqual(atPause, [1, 4]);
  assert.equal(msgs.at(-1)!.type, 'finished');
  assert.equal(costsOf(msgs).at(-1)!.step, lastProgress(msgs).progress.step, 'the last step of the run');
});

test('after a NaN, the costs shown are those of the last good step', async () => {
  // A linear regression by plain SGD with a learning rate far too large: the weights blow up within a few steps.
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: {
      seed: 0,
      optimizer: { type: 'SGD', lr: 1e4 },
      batchSize: 32,
      epochs: 3,
      validationSplit: 0,
      dataset: { source: 'regress-plane', size: 200, noise: 0 },
    },
  };
  const msgs: FromWorker[] = [];
  await runTraining(
    { modelText: JSON.stringify(json), sidecar: null, external: {}, options: OPTS },
    (m) => msgs.push(m),
    { next: async () => 'go' },
    () => 0,
  );
  const nf = msgs.find((m) => m.type === 'nonFinite');
  assert.ok(nf && nf.type === 'nonFinite', JSON.stringify(msgs.map((m) => m.type)));
  assert.ok(nf.step > 1, `the NaN came at step ${nf.step}: this test needs one good step first`);
  assert.equal(costsOf(msgs).at(-1)!.step, nf.step - 1);
});

test('on a backend that computes asynchronously, only the steps whose costs are posted wait for the device; at rest the last of them is shown', async () => {
  // The CPU backend with an idle() that counts: what a GPU backend's phase ends would wait on.
  const waits: number[] = [];
  let step = 0;
  class CountingIdle extends CpuBackend {
    idle(): Promise<void> {
      waits.push(step);
      return Promise.resolve();
    }
  }
  const previous = backend();
  setBackend(new CountingIdle());
  let calls = 0;
  const msgs: FromWorker[] = [];
  try {
    const stopAt: RunControl = { next: async () => ((step = ++calls) > 6 ? 'stop' : 'go') };
    // A frozen clock: the meter is due only at the first step.
    await runTraining(
      { modelText: JSON.stringify(mlp()), sidecar: null, external: {}, options: OPTS },
      (m) => msgs.push(m),
      stopAt,
      () => 0,
    );
  } finally {
    setBackend(previous);
  }
  // Three phase ends: the forward's too, since the step reads nothing until backward is recorded (one read a step).
  assert.deepEqual(waits, [1, 1, 1], "the first step's forward, backward and update waited; the five after it did not");
  assert.equal(lastProgress(msgs).progress.step, 6);
  // Stopped after step 6, which was not measured on the device: the meter keeps step 1's figures, sent once.
  assert.deepEqual(
    costsOf(msgs).map((c) => c.step),
    [1],
  );
});
