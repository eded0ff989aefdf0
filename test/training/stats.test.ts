// What the live view shows besides the loss (engine/train/stats.ts, the run's messages): tensor summaries, the
// parameter statistics of one optimizer step computed by hand, each node's arriving gradient against autograd's
// own retained gradient, and the views a run settles at after a NaN stop, with its 2-D points and boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, Random, Tensor, Trainer, type Dataset } from '../../engine';
import { CpuBackend } from '../../engine/backend/cpu';
import { summarize, nodeStatsOf } from '../../engine/train/stats';
import { boundaryGrid, runTraining, type RunControl } from '../../engine/train/run';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';

const close = (a: number, b: number, what: string, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('a summary gives mean, population std, range, an even histogram and, for a tiny tensor, every value', () => {
  const s = summarize([1, 2, 3, 4, NaN], 4);
  assert.equal(s.count, 4);
  close(s.mean, 2.5, 'mean');
  close(s.std, Math.sqrt(1.25), 'std');
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  // Bins of width 0.75 from 1: [1, 1.75), [1.75, 2.5), [2.5, 3.25), [3.25, 4] (the maximum falls in the last).
  assert.deepEqual(s.histogram, [1, 1, 1, 1]);
  assert.deepEqual(s.values?.slice(0, 4), [1, 2, 3, 4]);
  const constant = summarize(new Float32Array(100).fill(7), 5);
  assert.deepEqual(constant.histogram, [0, 0, 0, 0, 100]);
  assert.equal(constant.std, 0);
  assert.equal(constant.values, undefined, 'a tensor of 100 values is summarised, not listed');
});

test("the CPU backend's summaries are the hand-computed figures, and a plain two-pass float64 summary on random data", async () => {
  const b = new CpuBackend();
  const [hand, none] = await b.summaries(
    [
      { x: b.upload(Float32Array.of(1, 2, 3, 4, NaN, 9)), size: 5 },
      { x: b.upload(new Float32Array(0)), size: 0 },
    ],
    4,
  );
  // Only the first 5 values count (size 5): 1..4 and a NaN. Mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4.
  assert.deepEqual(hand, { count: 4, mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4, histogram: [1, 1, 1, 1], values: [1, 2, 3, 4, NaN] });
  assert.deepEqual(none, { count: 0, mean: 0, std: 0, min: 0, max: 0, histogram: [0, 0, 0, 0] });
  const r = new Random(4, 'cpu summaries');
  for (const n of [1, 17, 1000, 5000]) {
    // Values at bin centres ± 30 % of a bin between the extremes -3 and 5: no value near a bin edge.
    const x = Float32Array.from({ length: n }, () => -3 + (Math.floor(r.uniform() * 8) + 0.2 + 0.6 * r.uniform()));
    if (n > 1) x.set([-3, 5], 0);
    const [got] = await b.summaries([{ x: b.upload(x), size: n }], 8);
    const v = Array.from(x);
    const mean = v.reduce((s, a) => s + a, 0) / n;
    const histogram = new Array(8).fill(0);
    const min = Math.min(...v),
      max = Math.max(...v);
    for (const a of v) histogram[max > min ? Math.min(7, Math.floor(((a - min) / (max - min)) * 8)) : 7]++;
    assert.equal(got.count, n);
    close(got.mean, mean, `mean of ${n}`, 1e-12);
    close(got.std, Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / n), `std of ${n}`, 1e-12);
    assert.deepEqual([got.min, got.max], [min, max]);
    assert.deepEqual(got.histogram, histogram, `histogram of ${n}`);
  }
});

test("one SGD step's gradient RMS, weight RMS and update ratio match the step computed by hand", async () => {
  // pred = w·x + b, loss = mean((pred − t)²): with w = (0.5, −1), b = 0.25, x = (1, 2) and (−1, 3), t = (1, −2).
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: { 'fc.weight': { shape: [1, 2], data: [0.5, -1] }, 'fc.bias': { shape: [1], data: [0.25] } },
    training: { optimizer: { type: 'SGD', lr: 0.1 } },
  };
  const model = GraphModel.create(JSON.stringify(json));
  const data: Dataset = {
    n: 2,
    inputs: Float32Array.from([1, 2, -1, 3]),
    inputShape: [2],
    targets: Float32Array.from([1, -2]),
    targetShape: [1],
    targetDtype: 'float32',
  };
  const trainer = new Trainer(model, data, null, { batchSize: 2, epochs: 1, seed: 0 });
  await trainer.trainStep({ stats: true });
  const snap = await trainer.gradientSnapshot();
  // Residuals: 0.5 − 2 + 0.25 − 1 = −2.25 and −0.5 − 3 + 0.25 + 2 = −1.25; d loss/d pred = 2r/2 = r.
  const gw = [-2.25 * 1 + -1.25 * -1, -2.25 * 2 + -1.25 * 3];
  const gb = -2.25 + -1.25;
  const grad = [...gw, gb];
  const before = [0.5, -1, 0.25];
  const after = before.map((v, i) => v - 0.1 * grad[i]);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const fc = snap.params!.fc;
  close(fc.gradRms, norm(grad) / Math.sqrt(3), 'gradient RMS');
  close(fc.weightRms, norm(after) / Math.sqrt(3), 'weight RMS');
  close(fc.updateRatio, (0.1 * norm(grad)) / norm(before), 'update ratio');
  close(snap.paramNorms.fc, norm(grad), 'parameter-gradient norm');
});

test('the gradient arriving at a node is the sum over its consumers, as autograd retains it', async () => {
  // `act` feeds two heads that are added: its gradient is the sum of what each head sends back.
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'act', op: 'Tanh' },
      { id: 'a', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'b', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'sum', op: 'Add' },
      { id: 'y', op: 'Target', attrs: { shape: [2] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'a' },
      { from: 'act', to: 'b' },
      { from: 'a', to: 'sum', port: 0 },
      { from: 'b', to: 'sum', port: 1 },
      { from: 'sum', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  };
  const feeds = () => ({ x: Tensor.fromData([0.3, -1, 2, 1, 0.5, -0.25], [2, 3]), y: Tensor.fromData([1, 0, -1, 2], [2, 2]) });
  const model = GraphModel.create(JSON.stringify(json));
  const pass = model.forward(feeds(), { training: true, edgeGrads: true });
  pass.loss!.backward();
  const stats = await nodeStatsOf(model, pass);

  const reference = GraphModel.create(JSON.stringify(json));
  const retained = reference.forward(feeds(), { training: true, retainGrads: true });
  retained.loss!.backward();
  for (const id of ['fc1', 'act', 'a', 'sum']) {
    const want = summarize(retained.values.get(id)!.grad!.dataSync());
    const got = stats[id].grad!;
    assert.equal(got.count, want.count, id);
    close(got.mean, want.mean, `${id} gradient mean`);
    close(got.std, want.std, `${id} gradient std`);
    assert.deepEqual(got.histogram, want.histogram, `${id} gradient histogram`);
    close(stats[id].output!.mean, summarize(retained.values.get(id)!.dataSync()).mean, `${id} output mean`);
  }
  assert.deepEqual(stats.act.shape, [2, 4]);
  assert.equal(stats.loss.grad!.mean, 1, 'd loss / d loss');
  assert.equal(stats.x.grad, undefined, 'no gradient flows into an Input here');
});

const OPTS: RunOptions = { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0 };
const always: RunControl = { next: async () => 'go' };

async function run(json: unknown, options: Partial<RunOptions> = {}): Promise<FromWorker[]> {
  const msgs: FromWorker[] = [];
  // A clock that never moves: throttling lets through only the first update of each kind.
  await runTraining(
    { modelText: JSON.stringify(json), sidecar: null, external: {}, options: { ...OPTS, ...options } },
    (m) => msgs.push(m),
    always,
    () => 0,
  );
  return msgs;
}

function regression(extra: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'e', op: 'Exp' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'e' },
      { from: 'e', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'SGD', lr: 1e-5 }, batchSize: 50, epochs: 5, validationSplit: 0, dataset: { source: 'regress-plane', size: 200 } },
    ...extra,
  };
}

test('after a NaN stop, the gradients and node statistics sent last are those of the last good step', async () => {
  // Exp with SGD at lr 1e-5 on the plane: steps 1 and 2 are finite, step 3 overflows.
  const msgs = await run(regression());
  const nf = msgs.find((m) => m.type === 'nonFinite');
  assert.ok(nf?.type === 'nonFinite', JSON.stringify(msgs.map((m) => m.type)));
  const S = nf.step - 1;
  assert.ok(S >= 2, `the run must have taken good steps after the first update (NaN at step ${nf.step})`);
  const grads = msgs.filter((m) => m.type === 'gradients');
  const stats = msgs.filter((m) => m.type === 'nodeStats');
  assert.equal(grads.at(-1)?.type === 'gradients' && grads.at(-1)!.update.step, S);
  assert.equal(stats.at(-1)?.type === 'nodeStats' && stats.at(-1)!.step, S);
  const last = grads.at(-1)!;
  assert.ok(last.type === 'gradients');
  for (const [id, p] of Object.entries(last.update.params!)) {
    for (const v of [p.gradRms, p.weightRms, p.updateRatio]) assert.ok(Number.isFinite(v) && v > 0, `${id}: ${JSON.stringify(p)}`);
  }
  assert.ok(last.update.edges.every(Number.isFinite));
});

test("a 2-D run sends its points once, and a regression's boundary is the predicted value on the grid", async () => {
  const json = regression({
    training: {
      seed: 1,
      optimizer: { type: 'Adam', lr: 0.01 },
      batchSize: 50,
      epochs: 2,
      validationSplit: 0.25,
      dataset: { source: 'regress-plane', size: 200 },
    },
  });
  const msgs = await run(json, { boundaryGrid: 6 });
  const points = msgs.filter((m) => m.type === 'datasetPoints');
  assert.equal(points.length, 1);
  const p = points[0];
  assert.ok(p.type === 'datasetPoints');
  assert.equal(p.points.kind, 'regression');
  assert.equal(p.points.train.label.length, 150);
  assert.equal(p.points.validation.label.length, 50);
  assert.equal(p.points.train.xy.length, 300);
  assert.ok(p.points.train.xy.every((v) => Math.abs(v) <= 6.5) && p.points.train.label.every((v) => Math.abs(v) <= 1));

  const fin = msgs.at(-1)!;
  assert.ok(fin.type === 'finished');
  const b = msgs.filter((m) => m.type === 'boundary').at(-1)!;
  assert.ok(b.type === 'boundary' && b.kind === 'regression');
  // The top-left cell's centre is (−5, 5) on a 6×6 grid over [−6, 6]²: its value is the model's prediction there.
  const { decodeSafetensors } = await import('../../engine');
  const model = GraphModel.create(JSON.stringify(json), { sidecar: decodeSafetensors(fin.weights).tensors });
  const out = model
    .forward({ x: Tensor.fromData([-5, 5, 5, -5], [2, 2]) }, { training: false, computeLoss: false })
    .outputs.get('fc2')!
    .dataSync();
  close(b.values[0], out[0], 'top-left cell');
  close(b.values[35], out[1], 'bottom-right cell');
  assert.deepEqual([...b.values], [...(await boundaryGrid(model, 'x', 6, 'regression'))]);
});

test("a classifier's points carry class indices, and larger sets are sampled evenly to at most 1000", async () => {
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, batchSize: 500, epochs: 1, validationSplit: 0.1, dataset: { source: 'xor', size: 3000 } },
  };
  const msgs = await run(json);
  const p = msgs.find((m) => m.type === 'datasetPoints');
  assert.ok(p?.type === 'datasetPoints');
  assert.equal(p.points.kind, 'classification');
  // 2700 training points: every 3rd, 900 of them; 300 validation points, all.
  assert.equal(p.points.train.label.length, 900);
  assert.equal(p.points.validation.label.length, 300);
  assert.deepEqual([...new Set(p.points.train.label)].sort(), [0, 1]);
  // XOR's quadrants: class 1 where x₁·x₂ ≥ 0 (Playground's rule, no noise).
  const xy = p.points.validation.xy;
  p.points.validation.label.forEach((c, i) => assert.equal(c, xy[2 * i] * xy[2 * i + 1] >= 0 ? 1 : 0, `point ${i}`));
});

test('with derived input features, the points are the raw x₁, x₂ and the boundary feeds the features of each cell', async () => {
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, batchSize: 100, epochs: 1, validationSplit: 0.2, dataset: { source: 'xor', size: 200, inputFeatures: ['x1', 'x2', 'x1*x2'] } },
  };
  const msgs = await run(json, { boundaryGrid: 4 });
  const p = msgs.find((m) => m.type === 'datasetPoints');
  assert.ok(p?.type === 'datasetPoints', JSON.stringify(msgs.filter((m) => m.type === 'failed')));
  assert.equal(p.points.train.xy.length, 2 * 160, 'two coordinates a point, not three features');
  // XOR's label is the quadrant rule on the raw point, so the raw coordinates came through.
  p.points.train.label.forEach((c, i) => assert.equal(c, p.points.train.xy[2 * i] * p.points.train.xy[2 * i + 1] >= 0 ? 1 : 0));
  const fin = msgs.at(-1)!;
  assert.ok(fin.type === 'finished');
  const b = msgs.filter((m) => m.type === 'boundary').at(-1)!;
  assert.ok(b.type === 'boundary' && b.values.length === 16);
  // The top-left cell's centre on a 4×4 grid over [−6, 6]² is (−4.5, 4.5): features (−4.5, 4.5, −20.25).
  const { decodeSafetensors } = await import('../../engine');
  const model = GraphModel.create(JSON.stringify(json), { sidecar: decodeSafetensors(fin.weights).tensors });
  const logits = model
    .forward({ x: Tensor.fromData([-4.5, 4.5, -20.25], [1, 3]) }, { training: false, computeLoss: false })
    .outputs.get('fc')!
    .dataSync();
  close(b.values[0], Math.exp(logits[1]) / (Math.exp(logits[0]) + Math.exp(logits[1])), 'P(class 1) at the top-left cell');
});
