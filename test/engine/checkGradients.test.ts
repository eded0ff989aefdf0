// Check Gradients (engine/check/gradcheck.ts) and the float64 CPU backend it evaluates the loss with: the float64
// path really is float64 for every op, the checker passes every example, template and random graph, it reports a
// kink where the loss has a corner, it leaves the model as it found it, and a backend with ONE corrupted backward
// kernel makes it report exactly the tensors that kernel's gradient reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CpuBackend,
  GraphModel,
  Tensor,
  backend,
  buildDataset,
  checkGradients,
  firstTrainingBatch,
  noGrad,
  readDatasetSpec,
  sampleEntries,
  setBackend,
  Random,
  type Backend,
  type GradCheckResult,
  type ModelJson,
} from '../../engine';
import { templates } from '../../extension/templates';
import { randomModel } from './randomGraph';

const ROOT = join(__dirname, '..', '..');
const DIGITS = join(ROOT, 'dist', 'digits.bin');

const feedsOf = (json: Record<string, { shape: number[]; data: number[]; dtype?: 'float32' | 'int32' }>) =>
  Object.fromEntries(Object.entries(json).map(([id, f]) => [id, Tensor.fromData(f.data, f.shape, f.dtype ?? 'float32')]));

/** Run fn with `b` installed as the engine's backend. */
async function withBackend<T>(b: Backend, fn: () => Promise<T>): Promise<T> {
  const prev = backend();
  setBackend(b);
  try {
    return await fn();
  } finally {
    setBackend(prev);
  }
}

const failing = (r: GradCheckResult) => r.tensors.filter((t) => t.status === 'fail').map((t) => t.name);

// ─────────────────────────────── the float64 backend ───────────────────────────────

test('the float64 CPU backend stores every float tensor of a forward as Float64Array and computes in float64', () => {
  const f64 = new CpuBackend('float64');
  assert.equal(f64.floatPrecision, 'float64');
  assert.equal(new CpuBackend().floatPrecision, 'float32');
  const prev = backend();
  setBackend(f64);
  try {
    // 1 + 1e-10 is 1 in float32; float64 keeps it.
    const s = Tensor.fromData([1], [1]).addSameShape(new Tensor(f64.upload(Float64Array.of(1e-10)), [1]));
    assert.equal(s.dataSync()[0], 1 + 1e-10);
    // Every op of 30 random graphs (all ops of the registry): each float output is a Float64Array, and the loss
    // agrees with the float32 pass to float32's precision.
    for (let seed = 0; seed < 30; seed++) {
      const rm = randomModel(seed);
      setBackend(prev);
      const m32 = GraphModel.create(rm.model);
      const feeds32 = feedsOf(rm.feeds as never);
      const l32 = noGrad(() => m32.forward(feeds32, { training: true, dropout: false }).loss!.itemSync());
      setBackend(f64);
      const m64 = GraphModel.create(rm.model);
      for (const [k, t] of m64.state) t.storage = f64.upload(Float64Array.from(m32.state.get(k)!.dataSync()));
      const feeds64 = feedsOf(rm.feeds as never);
      const pass = noGrad(() => m64.forward(feeds64, { training: true, dropout: false }));
      for (const [id, v] of pass.values) {
        if (v.dtype === 'float32') assert.ok(v.dataSync() instanceof Float64Array, `seed ${seed}: node ${id} is not float64`);
      }
      const l64 = pass.loss!.itemSync();
      assert.ok(Math.abs(l64 - l32) <= 1e-4 * Math.max(1, Math.abs(l64)), `seed ${seed}: float64 loss ${l64}, float32 ${l32}`);
    }
  } finally {
    setBackend(prev);
  }
});

test('the float64 backend backpropagates too, and its gradients agree with the float32 ones', () => {
  const json = mlp('Tanh');
  const run = (b: Backend) => {
    const prev = backend();
    setBackend(b);
    try {
      const m = GraphModel.create(json);
      const x = Tensor.fromData([0.5, -1, 2, 0.25], [2, 2], 'float32', true);
      m.forward({ x, y: Tensor.fromData([1, -1], [2, 1]) }, { training: true }).loss!.backward();
      return { w: m.state.get('fc1.weight')!.grad!.dataSync(), x: x.grad!.dataSync() };
    } finally {
      setBackend(prev);
    }
  };
  const a = run(new CpuBackend()),
    b = run(new CpuBackend('float64'));
  assert.ok(b.w instanceof Float64Array && a.w instanceof Float32Array);
  for (const k of ['w', 'x'] as const)
    for (let i = 0; i < a[k].length; i++) assert.ok(Math.abs(a[k][i] - b[k][i]) < 1e-6, `${k}[${i}]: ${a[k][i]} vs ${b[k][i]}`);
});

test('ForwardOptions.dropout = false makes Dropout the identity in a training-mode pass', () => {
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'd',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [8] } },
      { id: 'drop', op: 'Dropout', attrs: { p: 0.5 } },
    ],
    edges: [{ from: 'x', to: 'drop' }],
  } as ModelJson;
  const m = GraphModel.create(json);
  const x = Tensor.fromData(
    Array.from({ length: 16 }, (_, i) => i + 1),
    [2, 8],
  );
  const on = m.forward({ x }, { training: true, computeLoss: false }).values.get('drop')!.dataSync();
  const off = m.forward({ x }, { training: true, computeLoss: false, dropout: false }).values.get('drop')!.dataSync();
  assert.ok(
    Array.from(on).some((v) => v === 0),
    'dropout drops in training',
  );
  assert.deepEqual(Array.from(off), Array.from(x.dataSync()));
});

// ─────────────────────────────── small models ───────────────────────────────

/** x [2] → fc1 (3) → act → fc2 (1) → MSELoss against y [1]. */
function mlp(act: string): ModelJson {
  return {
    format: 'nn-graph',
    version: 1,
    name: 'mlp',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'act', op: act },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 3 },
  } as ModelJson;
}

const mlpFeeds = () => ({ x: Tensor.fromData([0.5, -1, 2, 0.25, -0.3, 0.8], [3, 2]), y: Tensor.fromData([1, -1, 0.5], [3, 1]) });

test('a smooth model passes: every entry of small tensors, the cost counted (2 forward passes per entry)', async () => {
  const r = await checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds());
  assert.deepEqual(
    r.tensors.map((t) => t.name),
    ['x', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
  );
  assert.ok(r.passed && r.failed === 0 && r.kinks === 0, JSON.stringify(r.tensors.map((t) => [t.name, t.relError])));
  for (const t of r.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    assert.equal(t.checked, size, `${t.name}: all of a tensor with at most 20 entries`);
    assert.deepEqual(
      t.entries.map((e) => e.index),
      Array.from({ length: size }, (_, i) => i),
    );
    assert.ok(t.relError < 1e-5, `${t.name}: relative error ${t.relError}`);
    assert.equal(t.forwardPasses, 2 * t.checked);
  }
  assert.equal(r.checked, 6 + 6 + 3 + 3 + 1);
  assert.equal(r.numeric.forwardPasses, 2 * r.checked);
  assert.equal(r.backprop.backwardPasses, 1);
  assert.equal(r.backprop.gradients, 19);
  assert.ok(r.backprop.backwardMs > 0 && r.numeric.ms > 0 && r.numeric.timeRatio === r.numeric.ms / r.backprop.backwardMs);
  assert.equal(r.numeric.backend, 'cpu-float64');
  assert.ok(Math.abs(r.loss - r.loss64) < 1e-6);
});

test('--samples: K seeded entries of a larger tensor, the same for the same seed, others for another', async () => {
  const json = mlp('Tanh');
  (json.nodes[1].attrs as Record<string, number>).outFeatures = 30; // fc1.weight [30, 2]: 60 entries
  const feeds = mlpFeeds();
  const a = await checkGradients(GraphModel.create(json), feeds, { samples: 7 });
  const b = await checkGradients(GraphModel.create(json), feeds, { samples: 7 });
  const c = await checkGradients(GraphModel.create(json), feeds, { samples: 7, seed: 99 });
  const w = (r: GradCheckResult) => r.tensors.find((t) => t.name === 'fc1.weight')!;
  assert.equal(w(a).checked, 7);
  assert.equal(new Set(w(a).entries.map((e) => e.index)).size, 7, 'distinct entries');
  assert.deepEqual(
    w(a).entries.map((e) => e.index),
    w(b).entries.map((e) => e.index),
  );
  assert.notDeepEqual(
    w(a).entries.map((e) => e.index),
    w(c).entries.map((e) => e.index),
  );
  assert.equal(a.tensors.find((t) => t.name === 'fc2.bias')!.checked, 1, 'a tensor smaller than K is checked whole');
  assert.ok(a.passed);
});

test('sampleEntries draws k distinct in-range indices, uniformly enough to reach both ends', () => {
  const seen = new Set<number>();
  for (let s = 0; s < 200; s++) {
    const idx = sampleEntries(50, 5, new Random(s, 'x'));
    assert.equal(new Set(idx).size, 5);
    assert.ok(idx.every((i) => Number.isInteger(i) && i >= 0 && i < 50));
    idx.forEach((i) => seen.add(i));
  }
  assert.equal(seen.size, 50);
  assert.deepEqual(sampleEntries(3, 5, new Random(0)), [0, 1, 2]);
});

test("--node: only that node's tensors; a node with none, or no such node, is refused by name", async () => {
  const r = await checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds(), { nodeId: 'fc2' });
  assert.deepEqual(
    r.tensors.map((t) => t.name),
    ['fc2.weight', 'fc2.bias'],
  );
  const x = await checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds(), { nodeId: 'x' });
  assert.deepEqual(
    x.tensors.map((t) => [t.name, t.kind]),
    [['x', 'input']],
  );
  await assert.rejects(
    checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds(), { nodeId: 'act' }),
    /node "act" \(Tanh\) has no parameters or float input to check; nodes that have: x, fc1, fc2/,
  );
  await assert.rejects(checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds(), { nodeId: 'nope' }), /the model has no node "nope"/);
});

test('a ReLU whose input is exactly 0 is reported as a kink, not a failure; the same model off the kink has none', async () => {
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'kink',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'act', op: 'ReLU' },
      { id: 'y', op: 'Target', attrs: { shape: [3] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'act' },
      { from: 'act', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  } as ModelJson;
  const y = Tensor.fromData([-1, 0.5, 0.25], [1, 3]);
  const at = await checkGradients(GraphModel.create(json), { x: Tensor.fromData([0, 1, -1], [1, 3]), y });
  const t = at.tensors[0];
  assert.deepEqual(
    t.entries.map((e) => e.verdict),
    ['kink', 'pass', 'pass'],
  );
  const k = t.entries[0];
  // relu'(0) = 0 in the engine, as in PyTorch; the loss's slopes are 0 on the left and 2·(0 − (−1))/3 on the right.
  assert.equal(k.backprop, 0);
  assert.ok(Math.abs(k.left) < 1e-6 && Math.abs(k.right - 2 / 3) < 1e-5, JSON.stringify(k));
  assert.ok(Math.abs(k.numeric - 1 / 3) < 1e-5);
  assert.equal(t.kinks, 1);
  assert.equal(t.status, 'pass');
  assert.ok(at.passed && at.kinks === 1);
  const off = await checkGradients(GraphModel.create(json), { x: Tensor.fromData([0.1, 1, -1], [1, 3]), y });
  assert.ok(off.passed && off.kinks === 0);
});

test('a max-pool tie is reported as a kink', async () => {
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'pool',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1, 2, 2] } },
      { id: 'pool', op: 'MaxPool2d', attrs: { kernelSize: 2 } },
      { id: 'flat', op: 'Flatten' },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'pool' },
      { from: 'pool', to: 'flat' },
      { from: 'flat', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  } as ModelJson;
  // Two tied maxima (0.5 at entries 0 and 3): either one moving up changes the loss, moving down does not.
  const r = await checkGradients(GraphModel.create(json), { x: Tensor.fromData([0.5, 0.1, -0.2, 0.5], [1, 1, 2, 2]), y: Tensor.fromData([2], [1, 1]) });
  assert.deepEqual(
    r.tensors[0].entries.map((e) => e.verdict),
    ['kink', 'pass', 'pass', 'kink'],
  );
  assert.ok(r.passed);
});

test('the check leaves the model as it found it: parameters, BatchNorm running statistics, gradients', async () => {
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'bn',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'bn', op: 'BatchNorm1d' },
      { id: 'drop', op: 'Dropout', attrs: { p: 0.5 } },
      { id: 'head', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'bn' },
      { from: 'bn', to: 'drop' },
      { from: 'drop', to: 'head' },
      { from: 'head', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  } as ModelJson;
  const m = GraphModel.create(json);
  const before = new Map([...m.state].map(([k, t]) => [k, Array.from(t.dataSync())]));
  const r = await checkGradients(m, mlpFeeds());
  for (const [k, t] of m.state) {
    assert.deepEqual(Array.from(t.dataSync()), before.get(k), `${k} changed`);
    assert.equal(t.grad, null, `${k} was left a gradient`);
  }
  // With Dropout off, BatchNorm in batch statistics: smooth. fc.bias feeds BatchNorm, so its true gradient is 0:
  // it passes by the absolute resolution, below which nothing is resolved.
  assert.ok(r.passed, JSON.stringify(r.tensors.map((t) => [t.name, t.status, t.relError, t.maxAbsError])));
  const bias = r.tensors.find((t) => t.name === 'fc.bias')!;
  assert.ok(bias.belowResolution && bias.maxAbsError <= r.tolerance.absolute);
});

test('a non-finite loss is refused naming the node where it appeared', async () => {
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'nan',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'p', op: 'Pow', attrs: { exponent: 0.5 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'p' },
      { from: 'p', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: { 'fc.weight': { shape: [1, 1], data: [1] }, 'fc.bias': { shape: [1], data: [-5] } },
  } as ModelJson;
  await assert.rejects(checkGradients(GraphModel.create(json), { x: Tensor.fromData([1], [1, 1]), y: Tensor.fromData([0], [1, 1]) }), (e: Error) => {
    assert.equal(e.name, 'GradCheckNonFiniteError');
    assert.match(e.message, /non-finite values first appeared in the output of node "p"/);
    return true;
  });
});

test('float32 that cannot resolve the loss fails the check: 1e8 + 0.5 rounds to 1e8, so every float32 gradient is 0', async () => {
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'scale',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: { 'fc.weight': { shape: [1, 1], data: [1] }, 'fc.bias': { shape: [1], data: [0.5] } },
  } as ModelJson;
  const r = await checkGradients(GraphModel.create(json), { x: Tensor.fromData([1e8], [1, 1]), y: Tensor.fromData([1e8], [1, 1]) });
  assert.equal(r.loss, 0);
  assert.equal(r.loss64, 0.25);
  assert.deepEqual(failing(r), ['x', 'fc.weight', 'fc.bias']);
  // The float64 loss is smooth there: a failure, not a kink.
  assert.equal(r.kinks, 0);
  // 1e-6 is only ~67 float64 ulps of 1e8: the numeric slope is good to about a percent here.
  assert.ok(Math.abs(r.tensors[2].entries[0].numeric - 1) < 0.05, String(r.tensors[2].entries[0].numeric));
});

// ─────────────────────────────── a corrupted backward kernel ───────────────────────────────

/** The CPU backend with one kernel replaced: a test double installed with setBackend. */
function corrupted(name: string, patch: (cpu: CpuBackend) => Partial<Backend>): Backend {
  const cpu = new CpuBackend();
  return Object.assign(Object.create(cpu) as CpuBackend, { name }, patch(cpu));
}

test('a backend whose tanh backward is off by 10% makes the check report exactly the tensors upstream of the Tanh', async () => {
  const bad = corrupted('cpu with a wrong tanh backward', (cpu) => ({
    unaryBackward: (op, x, y, gy, size, param) => {
      const g = cpu.unaryBackward(op, x, y, gy, size, param);
      return op === 'tanh' ? cpu.scale(g, 1.1, size) : g;
    },
  }));
  const honest = await checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds());
  assert.ok(honest.passed);
  const r = await withBackend(bad, () => checkGradients(GraphModel.create(mlp('Tanh')), mlpFeeds()));
  assert.equal(r.backprop.backend, 'cpu with a wrong tanh backward');
  assert.deepEqual(failing(r), ['x', 'fc1.weight', 'fc1.bias'], "the gradient reaching the Tanh's input and everything below it");
  assert.equal(r.kinks, 0);
  assert.ok(!r.passed && r.failed === 3);
  for (const t of r.tensors.filter((t) => t.status === 'fail')) assert.ok(t.relError > 0.03 && t.relError < 0.06, `${t.name}: ${t.relError}`);
  // The same corrupted backend does not touch a model without Tanh.
  const relu = await withBackend(bad, () => checkGradients(GraphModel.create(mlp('Sigmoid')), mlpFeeds()));
  assert.ok(relu.passed);
});

test('a backend whose conv2d weight gradient is doubled makes the check report exactly the Conv2d weights', async () => {
  const bad = corrupted('cpu with a wrong conv2d weight gradient', (cpu) => ({
    conv2dBackwardWeight: (gy, x, g) => cpu.scale(cpu.conv2dBackwardWeight(gy, x, g), 2, g.outC * g.c * g.kh * g.kw),
  }));
  const json: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'cnn',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1, 6, 6] } },
      { id: 'conv', op: 'Conv2d', attrs: { outChannels: 2, kernelSize: 3 } },
      { id: 'act', op: 'Tanh' },
      { id: 'flat', op: 'Flatten' },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'conv' },
      { from: 'conv', to: 'act' },
      { from: 'act', to: 'flat' },
      { from: 'flat', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 1 },
  } as ModelJson;
  const rng = new Random(5, 'img');
  const feeds = () => ({
    x: Tensor.fromData(
      Array.from({ length: 2 * 36 }, () => rng.normal()),
      [2, 1, 6, 6],
    ),
    y: Tensor.fromData([0, 2], [2], 'int32'),
  });
  const r = await withBackend(bad, () => checkGradients(GraphModel.create(json), feeds()));
  assert.deepEqual(failing(r), ['conv.weight']);
  assert.ok(r.tensors.find((t) => t.name === 'conv.weight')!.relError > 0.3);
});

// ─────────────────────────────── every example and template ───────────────────────────────

/** The model's first training batch (engine/check/batch.ts), digits from the build. */
function datasetFeeds(model: GraphModel): Record<string, Tensor> {
  const spec = readDatasetSpec(model.json.training).spec!;
  if (spec.source === 'digits') assert.ok(existsSync(DIGITS), `${DIGITS} is missing: run npm run build`);
  return firstTrainingBatch(model, spec, buildDataset(model, spec, spec.source === 'digits' ? { digits: readFileSync(DIGITS) } : {}));
}

test('every example and template passes on its first training batch', async () => {
  const models: [string, ModelJson][] = [
    ...readdirSync(join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.nn.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8'))] as [string, ModelJson]),
    ...templates.filter((t) => t.model.training?.dataset).map((t) => [`template ${t.id}`, t.model as unknown as ModelJson] as [string, ModelJson]),
  ];
  assert.ok(models.length >= 6, models.map(([n]) => n).join(', '));
  for (const [name, json] of models) {
    const model = GraphModel.create(json);
    const r = await checkGradients(model, datasetFeeds(model), { samples: 8 });
    assert.ok(r.passed, `${name}: ${JSON.stringify(r.tensors.filter((t) => t.status === 'fail').map((t) => [t.name, t.relError, t.maxAbsError]))}`);
    assert.equal(r.tensors.length, model.parameters().length + 1, `${name}: every parameter and the Input`);
    for (const t of r.tensors) {
      // The strict bound holds where the gradient stands well above the float64 differences' own noise
      // (≈ 1e-16·|L| / ε ≈ 1e-10 here): the vanishing-gradient lesson's middle layers (gradients of 1e-7) do not.
      const largest = Math.max(...t.entries.map((e) => Math.abs(e.backprop)));
      if (!t.belowResolution && t.kinks < t.checked && largest >= 1e-5) assert.ok(t.relError < 1e-5, `${name} ${t.name}: ${t.relError}`);
    }
  }
});

test('random graphs over every op pass the check (kinks allowed)', async () => {
  for (let seed = 0; seed < 30; seed++) {
    const rm = randomModel(seed);
    const r = await checkGradients(GraphModel.create(rm.model), feedsOf(rm.feeds as never), { samples: 6 });
    assert.ok(
      r.passed,
      `seed ${seed} (${[...rm.ops].join(', ')}): ${JSON.stringify(r.tensors.filter((t) => t.status === 'fail').map((t) => [t.name, t.relError, t.maxAbsError]))}`,
    );
  }
});
