// The step walk-through traced on WebGPU (engine/train/walkthrough.ts): the same trace as on the CPU within float32
// rounding, and what it reads back is what it shows: summaries reduced on the device, the first rows of each output
// heatmap, the parameters whose images fit the budget; never every activation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { backend, setBackend, GraphModel, Random, Trainer, type Backend, type Dataset } from '../../engine';
import { CpuBackend } from '../../engine/backend/cpu';
import type { TensorSummary } from '../../engine/backend/summary';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import type { StepTrace, TraceLimits } from '../../engine/train/walkthrough';
import { skipWithoutDevice, testDevice } from './device';

let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

const model = (width: number) =>
  JSON.stringify({
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [width] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: width } },
      { id: 'act', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 3 } },
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
    training: { seed: 5, optimizer: { type: 'Adam', lr: 0.01 } },
  });

function data(n: number, width: number): Dataset {
  const r = new Random(11, 'walkthrough data');
  return {
    n,
    inputs: Float32Array.from({ length: n * width }, () => r.uniform() * 2 - 1),
    inputShape: [width],
    targets: Float32Array.from({ length: n }, (_, i) => i % 3),
    targetShape: [],
    targetDtype: 'int32',
  };
}

/** The second step of a run, traced, on backend `b`. */
async function traced(b: Backend, width: number, batch: number, limits?: Partial<TraceLimits>): Promise<StepTrace> {
  const previous = backend();
  setBackend(b);
  try {
    const trainer = new Trainer(GraphModel.create(model(width)), data(batch, width), null, { batchSize: batch, epochs: 5, seed: 5 });
    await trainer.trainStep();
    return (await trainer.trainStepTraced({ limits })).trace;
  } finally {
    setBackend(previous);
  }
}

function close(got: TensorSummary | undefined, want: TensorSummary | undefined, what: string): void {
  assert.equal(!!got, !!want, `${what}: on both or neither`);
  if (!got || !want) return;
  assert.equal(got.count, want.count, `${what}: count`);
  // One step from the same weights: float32 sums in another order, ~1e-6 relative, well inside 1e-4.
  const scale = Math.abs(want.mean) + want.std + 1e-7;
  for (const f of ['mean', 'std', 'min', 'max'] as const) assert.ok(Math.abs(got[f] - want[f]) <= 1e-4 * scale, `${what}: ${f} ${got[f]}, want ${want[f]}`);
  assert.equal(
    got.histogram.reduce((s, c) => s + c, 0),
    want.count,
    `${what}: histogram total`,
  );
  assert.equal(!!got.values, !!want.values, `${what}: values listed on both or neither`);
}

const near = (got: number[], want: number[], what: string) => {
  assert.equal(got.length, want.length, what);
  // Heatmap and image cells are rounded to 4 significant digits.
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 2e-3 * Math.abs(want[i]) + 1e-5, `${what}[${i}]: ${v}, want ${want[i]}`));
};

test("a step traced on WebGPU is the CPU's trace: summaries, heatmaps and weight images", { timeout: 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const want = await traced(new CpuBackend(), 6, 40);
  const got = await traced(gpu, 6, 40);
  assert.equal(got.loss.toPrecision(4), want.loss.toPrecision(4));
  for (const [k, w] of [...want.feeds, ...want.forward].entries()) {
    const g = [...got.feeds, ...got.forward][k];
    assert.equal(g.node, w.node);
    close(g.output, w.output, `${w.node} output`);
    assert.equal(!!g.heatmap, !!w.heatmap, `${w.node}: heatmap on both or neither`);
    if (w.heatmap) {
      assert.deepEqual({ ...g.heatmap!, values: [] }, { ...w.heatmap, values: [] }, `${w.node} heatmap layout`);
      near(g.heatmap!.values, w.heatmap.values, `${w.node} heatmap`);
    }
  }
  assert.deepEqual(
    got.backward.map((s) => s.node),
    want.backward.map((s) => s.node),
  );
  for (const [k, w] of want.backward.entries()) {
    const g = got.backward[k];
    close(g.gradOut, w.gradOut, `${w.node} ∂ℓ/∂y`);
    w.inputs.forEach((p, i) => close(g.inputs[i].grad, p.grad, `${w.node} port ${p.port} gradient`));
    w.params.forEach((p, i) => close(g.params[i].grad, p.grad, `${w.node} ${p.name} gradient`));
    w.primitives.forEach((p, i) => close(g.primitives[i].gradOut, p.gradOut, `${w.node} primitive ${p.op}`));
  }
  want.edges.forEach((e, i) => close(got.edges[i].grad, e.grad, `edge ${i}`));
  for (const [k, w] of want.update.entries()) {
    for (const [i, p] of w.params.entries()) {
      const g = got.update[k].params[i];
      for (const f of ['before', 'after'] as const) close(g[f], p[f], `${p.key} ${f}`);
      // The update itself is small against the weights: compare it at the weights' scale.
      assert.ok(Math.abs(g.delta.mean - p.delta.mean) <= 1e-4 * (p.before.std + Math.abs(p.before.mean)), `${p.key} delta mean`);
      assert.equal(!!g.images, !!p.images, `${p.key}: images on both or neither`);
      if (p.images) {
        near(g.images!.before.values, p.images.before.values, `${p.key} image before`);
        near(g.images!.after.values, p.images.after.values, `${p.key} image after`);
        near(g.images!.grad!.values, p.images.grad!.values, `${p.key} image gradient`);
      }
    }
  }
  assert.deepEqual(got.omitted, want.omitted);
});

test(
  "a traced step on WebGPU reads back its summaries, the heatmaps' rows and the images within budget, not the activations",
  { timeout: 120_000 },
  async (t) => {
    if (skip) return t.skip(skip);
    const width = 128,
      batch = 256;
    // Room for every output heatmap (32 rows × at most 64 columns) and the small parameters' images, not fc1.weight's
    // (128 × 128, drawn 64 × 128, three times: 24,576 cells).
    const limits = { imageCells: 12_000 };
    const before = gpu.ctx.bytesRead;
    const trace = await traced(gpu, width, batch, limits);
    // Both steps' own reads count too: the loss, the finite flags and the 256 × 3 outputs for the accuracy, 3 KB each.
    const read = gpu.ctx.bytesRead - before;
    const heatmapBytes = [...trace.feeds, ...trace.forward].reduce((s, f) => s + (f.heatmap ? f.heatmap.rows * f.heatmap.sourceCols * 4 : 0), 0);
    const images = trace.update.flatMap((u) => u.params.filter((p) => p.images));
    const imageBytes = images.reduce((s, p) => s + 3 * p.shape.reduce((a, d) => a * d, 1) * 4, 0);
    assert.ok(
      trace.forward.some((f) => f.heatmap),
      'heatmaps within the budget',
    );
    assert.deepEqual(images.map((p) => p.key).sort(), ['fc1.bias', 'fc2.bias', 'fc2.weight'], 'no image of the large weight');
    const activations = [...trace.feeds, ...trace.forward].reduce((s, f) => s + f.shape.reduce((a, d) => a * d, 1) * 4, 0);
    t.diagnostic(
      `${read} bytes read back: heatmap rows ${heatmapBytes}, images ${imageBytes}; activations ${activations} bytes (and as much again in gradients)`,
    );
    // Summaries: a few hundred bytes each, some 40 of them; the rest is what the trace draws.
    assert.ok(read <= heatmapBytes + imageBytes + 64 * 1024, `${read} bytes read`);
    assert.ok(read * 3 < activations, `${read} bytes read against ${activations} bytes of activations`);
  },
);
