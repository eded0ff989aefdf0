// Tensor summaries (Backend.summaries: what the node statistics and the walk-through show) reduced on the GPU
// against an independent reference and the CPU backend, on odd sizes, one value, none, all-equal values and NaN/Inf;
// node statistics read back in O(nodes × bins) bytes whatever the activations' size; and a WebGPU run's node
// statistics messages against the same run's on the CPU.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { CpuBackend } from '../../engine/backend/cpu';
import { backend, setBackend, GraphModel, Random, Tensor } from '../../engine';
import type { TensorSummary } from '../../engine/backend/summary';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { HISTOGRAM_BINS, nodeStatsOf, type NodeStats } from '../../engine/train/stats';
import { runTraining, type RunInput } from '../../engine/train/run';
import type { FromWorker } from '../../engine/train/runMessages';
import { skipWithoutDevice, testDevice } from './device';

const cpu = new CpuBackend();
let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

/** The summary written out plainly (not the engine's code): finite values only, two passes, float64. */
function reference(data: Float32Array, bins: number): TensorSummary {
  const finite = Array.from(data).filter((v) => Number.isFinite(v));
  const histogram = new Array<number>(bins).fill(0);
  if (!finite.length) return { count: 0, mean: 0, std: 0, min: 0, max: 0, histogram };
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const std = Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length);
  const min = Math.min(...finite),
    max = Math.max(...finite);
  for (const v of finite) histogram[max > min ? Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins)) : bins - 1]++;
  return { count: finite.length, mean, std, min, max, histogram, ...(data.length <= 16 ? { values: Array.from(data) } : {}) };
}

/**
 * `n` values of which `lo` and `hi` are the extremes and every other lies in the middle 60 % of a bin of the
 * histogram from lo to hi: float32 binning on the GPU and float64 on the CPU then agree exactly (a value within
 * rounding of a bin edge could honestly go either way).
 */
function binSafe(n: number, seed: number, lo: number, hi: number, bins = HISTOGRAM_BINS): Float32Array {
  const r = new Random(seed, 'summary test');
  const width = (hi - lo) / bins;
  const x = Float32Array.from({ length: n }, () => lo + (Math.floor(r.uniform() * bins) + 0.2 + 0.6 * r.uniform()) * width);
  if (n > 0) x[Math.floor(r.uniform() * n)] = lo;
  if (n > 1) x[(Math.floor(r.uniform() * (n - 1)) + 1) % n] = hi;
  return x;
}

/**
 * Float32 sums: a thread adds about n / (WORKGROUP · groups) values, then log2(256) + log2(32) halvings; the error
 * is at most (that many) · 2⁻²⁴ · Σ|v|, under 1e-6 · mean|v| for these sizes, and mean|v| ≤ |mean| + std. The squares
 * are taken about the float32 mean, off by up to 2⁻²⁴·|mean|, which moves std by as much. Hence 1e-5 · (|mean| + std).
 */
function assertClose(got: TensorSummary, want: TensorSummary, what: string): void {
  assert.equal(got.count, want.count, `${what}: count`);
  const scale = Math.abs(want.mean) + want.std;
  assert.ok(Math.abs(got.mean - want.mean) <= 1e-5 * scale, `${what}: mean ${got.mean}, want ${want.mean}`);
  assert.ok(Math.abs(got.std - want.std) <= 1e-5 * scale, `${what}: std ${got.std}, want ${want.std}`);
  // Minimum and maximum are values of the tensor: exact.
  assert.equal(got.min, want.min, `${what}: min`);
  assert.equal(got.max, want.max, `${what}: max`);
  assert.deepEqual(got.histogram, want.histogram, `${what}: histogram`);
  assert.deepEqual(got.values, want.values, `${what}: values`);
}

const CASES: [string, Float32Array][] = [
  ['empty', new Float32Array(0)],
  ['one value', Float32Array.of(-3.25)],
  ['seven values', binSafe(7, 1, -1, 1)],
  ['sixteen values (listed)', binSafe(16, 2, 0, 5)],
  ['seventeen values (not listed)', binSafe(17, 3, -5, 0)],
  ['255', binSafe(255, 4, -0.5, 2)],
  ['1037 (several workgroups)', binSafe(1037, 5, -3, 3)],
  ['100003 (every workgroup, many values a thread)', binSafe(100_003, 6, -2, 7)],
  ['all equal', new Float32Array(1037).fill(0.3)],
  ['all NaN', new Float32Array(40).fill(NaN)],
];
{
  const withBad = binSafe(5000, 7, -1, 2);
  withBad.set([NaN, Infinity, -Infinity], 100);
  withBad[4999] = NaN;
  CASES.push(['NaN and ±Inf skipped', withBad]);
  const tinyBad = Float32Array.of(1, NaN, 4, Infinity, 2.5);
  CASES.push(['tiny with NaN and Inf (all values listed)', tinyBad]);
}

test('summaries on WebGPU: the reference figures on odd sizes, one value, none, all-equal values and NaN/Inf, in one read', async (t) => {
  if (skip) return t.skip(skip);
  const on = (b: CpuBackend | WebGpuBackend) =>
    b.summaries(
      CASES.map(([, x]) => ({ x: b.upload(x.slice()), size: x.length })),
      HISTOGRAM_BINS,
    );
  const reads = gpu.ctx.bytesRead;
  const got = await on(gpu);
  const read = gpu.ctx.bytesRead - reads;
  const want = await on(cpu);
  CASES.forEach(([what, x], k) => {
    assertClose(got[k], reference(x, HISTOGRAM_BINS), `WebGPU, ${what}`);
    assertClose(want[k], reference(x, HISTOGRAM_BINS), `CPU, ${what}`);
  });
  const values = CASES.reduce((s, [, x]) => s + x.length, 0);
  t.diagnostic(`${CASES.length} summaries of ${values} values: ${read} bytes read back`);
  assert.ok(read <= CASES.length * 1024, `${read} bytes read for ${CASES.length} summaries: one small read, not the values`);
});

test('summaries with another bin count, and a tensor read only up to its size', async (t) => {
  if (skip) return t.skip(skip);
  const x = binSafe(3001, 8, -4, 4, 7);
  const padded = new Float32Array(4000).fill(1e6);
  padded.set(x);
  const [got] = await gpu.summaries([{ x: gpu.upload(padded), size: x.length }], 7);
  assertClose(got, reference(x, 7), '7 bins');
});

/** Input [256] → Linear 256 → Tanh → Linear 256 → MSE against a Target: ~65k values per node at batch 256. */
const WIDE = JSON.stringify({
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [256] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 256 } },
    { id: 'act', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 256 } },
    { id: 'y', op: 'Target', attrs: { shape: [256] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 2 },
});

test('node statistics on WebGPU read back O(nodes × bins) bytes, not the activations', async (t) => {
  if (skip) return t.skip(skip);
  const previous = backend();
  setBackend(gpu);
  try {
    const model = GraphModel.create(WIDE);
    const r = new Random(9, 'wide');
    const batch = 256;
    const feed = () => Float32Array.from({ length: batch * 256 }, () => r.uniform() * 2 - 1);
    const pass = model.forward({ x: Tensor.fromData(feed(), [batch, 256]), y: Tensor.fromData(feed(), [batch, 256]) }, { training: true, edgeGrads: true });
    pass.loss!.backward();
    const activations = [...pass.values.values()].reduce((s, v) => s + v.size * 4, 0);
    const before = gpu.ctx.bytesRead;
    const stats = await nodeStatsOf(model, pass);
    const read = gpu.ctx.bytesRead - before;
    const summaries = Object.values(stats).reduce((s, n) => s + (n.output ? 1 : 0) + (n.grad ? 1 : 0), 0);
    t.diagnostic(`${summaries} summaries over ${activations} bytes of activations: ${read} bytes read back`);
    assert.equal(stats.act.output!.count, batch * 256);
    // One result buffer: a few hundred bytes a summary (partials, histogram, tiny values), nothing per value.
    assert.ok(read <= summaries * 1024, `${read} bytes read for ${summaries} summaries`);
    assert.ok(read * 50 < activations, `${read} bytes read against ${activations} bytes of activations`);
  } finally {
    setBackend(previous);
  }
});

const RUN: RunInput = {
  modelText: JSON.stringify({
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
      { id: 'act', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'head', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'sum', op: 'Add' },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    // act feeds two heads: its gradient is the sum of two edges' (added on the device).
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'act', to: 'head' },
      { from: 'fc2', to: 'sum', port: 0 },
      { from: 'head', to: 'sum', port: 1 },
      { from: 'sum', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 1, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 16, epochs: 1, validationSplit: 0, dataset: { source: 'circle', size: 48 } },
  }),
  sidecar: null,
  external: {},
  options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0 },
};

async function nodeStatsMessages(b: CpuBackend | WebGpuBackend): Promise<{ step: number; nodes: Record<string, NodeStats> }[]> {
  const previous = backend();
  setBackend(b);
  try {
    const msgs: FromWorker[] = [];
    // A clock that never moves: the first step's statistics, then those the run settles at (its last step).
    await runTraining(
      RUN,
      (m) => msgs.push(m),
      { next: async () => 'go' },
      () => 0,
    );
    return msgs.flatMap((m) => (m.type === 'nodeStats' ? [{ step: m.step, nodes: m.nodes }] : []));
  } finally {
    setBackend(previous);
  }
}

test('a WebGPU run posts the node statistics of the same run on the CPU', { timeout: 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const want = await nodeStatsMessages(cpu);
  const got = await nodeStatsMessages(gpu);
  assert.deepEqual(
    got.map((m) => m.step),
    want.map((m) => m.step),
  );
  assert.ok(want.length >= 2, 'statistics of the first step and of the last');
  for (const [k, w] of want.entries()) {
    const g = got[k];
    assert.deepEqual(Object.keys(g.nodes).sort(), Object.keys(w.nodes).sort());
    for (const [id, ws] of Object.entries(w.nodes)) {
      const gs = g.nodes[id];
      assert.deepEqual(gs.shape, ws.shape, id);
      for (const kind of ['output', 'grad'] as const) {
        const a = gs[kind],
          e = ws[kind];
        assert.equal(!!a, !!e, `step ${w.step} ${id} ${kind}: present on both or neither`);
        if (!a || !e) continue;
        const what = `step ${w.step} ${id} ${kind}`;
        assert.equal(a.count, e.count, `${what}: count`);
        // The two runs' weights agree to ~1e-5 after a few Adam steps (training.test.ts): so do their statistics.
        const scale = Math.abs(e.mean) + e.std + 1e-6;
        for (const f of ['mean', 'std', 'min', 'max'] as const) assert.ok(Math.abs(a[f] - e[f]) <= 1e-3 * scale, `${what}: ${f} ${a[f]}, want ${e[f]}`);
        // A value near a bin edge may land in the neighbouring bin: the histograms differ by a few moves at most.
        const moved = a.histogram.reduce((s, c, i) => s + Math.abs(c - e.histogram[i]), 0) / 2;
        assert.equal(
          a.histogram.reduce((s, c) => s + c, 0),
          e.count,
          `${what}: histogram total`,
        );
        assert.ok(moved <= Math.max(1, 0.02 * e.count), `${what}: ${moved} values in other bins`);
        if (e.values)
          assert.ok(
            a.values!.every((v, i) => Math.abs(v - e.values![i]) <= 1e-4 * (1 + Math.abs(e.values![i]))),
            `${what}: values`,
          );
      }
    }
  }
});
