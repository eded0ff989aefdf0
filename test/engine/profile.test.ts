// The step profiler (engine/train/profile.ts): phase times and per-node times of real training steps, through the
// profiler itself and through the Trainer's hooks. Measured times are only checked for sanity (positive, finite, and
// parts within their whole); their values depend on the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, profileTraining, StepClock, summarizePhases, Tensor, Trainer, UNSCOPED_ROW, type Dataset } from '../../engine';

const twoLosses = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
    { id: 'act', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [2] } },
    { id: 'mse', op: 'MSELoss' },
    { id: 'act2', op: 'Sigmoid' },
    { id: 'mse2', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'mse' },
    { from: 'y', to: 'mse', port: 1 },
    { from: 'fc2', to: 'act2' },
    { from: 'act2', to: 'mse2' },
    { from: 'y', to: 'mse2', port: 1 },
  ],
  training: { seed: 1, optimizer: { type: 'SGD', lr: 0.1 } },
};

const positive = (v: number, what: string) => assert.ok(Number.isFinite(v) && v > 0, `${what}: ${v}`);

test('summarizePhases: medians of each phase and the ratios of the medians', () => {
  const s = summarizePhases([
    { forwardMs: 1, backwardMs: 2, updateMs: 1, stepMs: 4 },
    { forwardMs: 3, backwardMs: 9, updateMs: 1, stepMs: 13 },
    { forwardMs: 2, backwardMs: 4, updateMs: 1, stepMs: 7 },
  ]);
  assert.deepEqual(s, { forwardMs: 2, backwardMs: 4, updateMs: 1, stepMs: 7, backwardOverForward: 2, stepOverForward: 3.5, samples: 3 });
});

test('a StepClock adds up what it times; without nodes it installs no observers', () => {
  const c = new StepClock();
  assert.equal(c.observeForward, undefined);
  assert.equal(c.observeBackward, undefined);
  for (const phase of ['forward', 'backward', 'update'] as const) {
    c.begin();
    const until = performance.now() + 2;
    while (performance.now() < until);
    c.end(phase);
  }
  const p = c.phases();
  for (const k of ['forwardMs', 'backwardMs', 'updateMs'] as const) assert.ok(p[k] >= 2, `${k} ${p[k]}`);
  assert.equal(p.stepMs, p.forwardMs + p.backwardMs + p.updateMs);
});

test("profileTraining: phase medians, every node in forward order, the losses' sum as its own row, and the update applied", async () => {
  const model = GraphModel.create(JSON.stringify(twoLosses));
  const before = Array.from(model.state.get('fc1.weight')!.dataSync());
  const feeds = {
    x: Tensor.fromData(
      Array.from({ length: 24 }, (_, i) => Math.sin(i)),
      [8, 3],
    ),
    y: Tensor.fromData(new Array(16).fill(0.5), [8, 2]),
  };
  const losses: number[] = [];
  const r = await profileTraining(model, feeds, { steps: 4, warmup: 1, onStep: (_p, loss) => void losses.push(loss) });
  assert.equal(losses.length, 2 * (4 + 1), 'a plain and an observed step each time, warm-up included');
  assert.ok(losses.at(-1)! < losses[0], `SGD lowers the loss: ${losses[0]} → ${losses.at(-1)}`);
  assert.notDeepEqual(Array.from(model.state.get('fc1.weight')!.dataSync()), before);
  assert.equal(r.batch, 8);
  for (const p of [r.phases, r.observedPhases]) {
    for (const k of ['forwardMs', 'backwardMs', 'updateMs', 'stepMs', 'backwardOverForward', 'stepOverForward'] as const) positive(p[k], k);
    assert.equal(p.samples, 4);
  }
  assert.deepEqual(
    r.nodes.map((n) => n.id),
    [...model.order.filter((id) => !['x', 'y'].includes(id)), UNSCOPED_ROW],
  );
  assert.deepEqual(
    r.nodes.map((n) => n.op),
    r.nodes.map((n) => (n.id === UNSCOPED_ROW ? '' : twoLosses.nodes.find((m) => m.id === n.id)!.op)),
  );
  for (const n of r.nodes.slice(0, -1)) {
    positive(n.forwardMs, `${n.id} forward`);
    positive(n.backwardMs, `${n.id} backward`);
  }
  // The sum of the two losses is the one backward op outside every node; its forward is not a node's.
  assert.equal(r.nodes.at(-1)!.forwardMs, 0);
  positive(r.nodes.at(-1)!.backwardMs, "the losses' sum backward");
  // Per-node times are parts of the observed steps' phases (medians of parts against the median of the whole: some slack).
  const sum = (k: 'forwardMs' | 'backwardMs') => r.nodes.reduce((s, n) => s + n[k], 0);
  assert.ok(sum('forwardMs') <= r.observedPhases.forwardMs * 1.5 + 0.05, `nodes' forward ${sum('forwardMs')} vs ${r.observedPhases.forwardMs}`);
  assert.ok(sum('backwardMs') <= r.observedPhases.backwardMs * 1.5 + 0.05, `nodes' backward ${sum('backwardMs')} vs ${r.observedPhases.backwardMs}`);
  // The totals are the nodes' FLOPs; SGD's update is 2 per parameter value (3·8 + 8 + 8·2 + 2 = 50).
  assert.equal(
    r.flops.forward,
    r.nodes.reduce((s, n) => s + n.forwardFlops, 0),
  );
  assert.equal(r.flops.update, 2 * 50);
  assert.equal(r.flops.stepOverForward, (r.flops.forward + r.flops.backward + r.flops.update) / r.flops.forward);
});

test('the Trainer times a step it is given a clock for: phases, and with nodes every computed node', async () => {
  const oneLoss = {
    ...twoLosses,
    nodes: twoLosses.nodes.filter((n) => !['act2', 'mse2'].includes(n.id)),
    edges: twoLosses.edges.filter((e) => !['act2', 'mse2'].includes(e.to)),
  };
  const model = GraphModel.create(JSON.stringify(oneLoss));
  const n = 16;
  const train: Dataset = {
    n,
    inputs: Float32Array.from({ length: n * 3 }, (_, i) => Math.cos(i)),
    inputShape: [3],
    targets: new Float32Array(n * 2),
    targetShape: [2],
    targetDtype: 'float32',
  };
  const trainer = new Trainer(model, train, null, { batchSize: 8, epochs: 2, seed: 0 });
  const plain = new StepClock();
  await trainer.trainStep({ clock: plain });
  const p = plain.phases();
  for (const k of ['forwardMs', 'backwardMs', 'updateMs'] as const) positive(p[k], k);
  assert.equal(plain.nodes, null);
  const observed = new StepClock({ nodes: true });
  await trainer.trainStep({ clock: observed });
  assert.deepEqual([...observed.nodes!.keys()].sort(), ['act', 'fc1', 'fc2', 'mse'], 'one loss: every backward op belongs to a node');
  for (const [id, t] of observed.nodes!) {
    positive(t.forwardMs, `${id} forward`);
    positive(t.backwardMs, `${id} backward`);
  }
  // And a step without a clock is the step it always was.
  const r = await trainer.trainStep();
  assert.equal(r.step, 3);
});
