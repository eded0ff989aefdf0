// The trace of one training step (engine/train/walkthrough.ts) against numbers worked out by hand (a micrograd-sized
// neuron) and against autograd's own retained gradients on a graph where a node feeds two consumers; the traced step
// is the same step as an untraced one, bit for bit; the caps leave summaries when images would be too many.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, Tensor, Trainer, batches, getOp, weightImage, type Dataset, type StepTrace } from '../../engine';
import { summarize } from '../../engine/train/stats';

const close = (a: number, b: number, what: string, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
const closeAll = (a: readonly number[] | undefined, b: readonly number[], what: string, tol = 1e-5) => {
  assert.ok(a, `${what}: no values`);
  assert.equal(a.length, b.length, `${what}: length`);
  a.forEach((v, i) => close(v, b[i], `${what}[${i}]`, tol));
};

// The neuron of micrograd's lecture: o = tanh(x₁w₁ + x₂w₂ + b) with x = (2, 0), w = (−3, 1), b = 6.8813735870195432,
// and here a loss ℓ = (o − 1)² so that a step has something to learn.
const B = 6.8813735870195432;
const neuron = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } },
    { id: 'n', op: 'Linear', attrs: { outFeatures: 1 } },
    { id: 'o', op: 'Tanh' },
    { id: 't', op: 'Target', attrs: { shape: [1] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'n' },
    { from: 'n', to: 'o' },
    { from: 'o', to: 'loss' },
    { from: 't', to: 'loss', port: 1 },
  ],
  params: { 'n.weight': { shape: [1, 2], data: [-3, 1] }, 'n.bias': { shape: [1], data: [B] } },
  training: { optimizer: { type: 'SGD', lr: 0.1 } },
};
const oneRow: Dataset = { n: 1, inputs: Float32Array.from([2, 0]), inputShape: [2], targets: Float32Array.from([1]), targetShape: [1], targetDtype: 'float32' };

async function traceOf(json: unknown, data: Dataset, batchSize = data.n, limits = {}): Promise<{ trace: StepTrace; trainer: Trainer }> {
  const trainer = new Trainer(GraphModel.create(JSON.stringify(json)), data, null, { batchSize, epochs: 1, seed: 0 });
  const { trace } = await trainer.trainStepTraced({ limits });
  return { trace, trainer };
}

test('a single neuron: every value and gradient of the trace is the chain rule worked by hand', async () => {
  const { trace } = await traceOf(neuron, oneRow);
  const n = 2 * -3 + 0 * 1 + B; // 0.8814
  const o = Math.tanh(n); // 0.7071
  const dO = 2 * (o - 1); // ℓ = mean((o − t)²) over one value
  const dN = dO * (1 - o * o); // tanh′ = 1 − o²
  assert.equal(trace.step, 1);
  close(trace.loss, (o - 1) ** 2, 'loss');
  assert.deepEqual(
    trace.feeds.map((f) => [f.node, f.output?.values]),
    [
      ['x', [2, 0]],
      ['t', [1]],
    ],
  );
  assert.deepEqual(
    trace.forward.map((f) => f.node),
    ['n', 'o', 'loss'],
  );
  closeAll(trace.forward[0].output!.values, [n], 'n');
  closeAll(trace.forward[1].output!.values, [o], 'o');

  assert.deepEqual(
    trace.backward.map((b) => b.node),
    ['loss', 'o', 'n'],
    'the reverse of the forward order',
  );
  const [loss, tanh, lin] = trace.backward;
  assert.deepEqual(loss.gradOut.values, [1], '∂ℓ/∂ℓ = 1');
  assert.deepEqual(loss.consumers, []);
  closeAll(loss.inputs[0].grad!.values, [dO], 'the loss sends ∂ℓ/∂o to o');
  assert.equal(loss.inputs[1].grad, undefined, 'nothing goes back to the fed target');
  closeAll(tanh.gradOut.values, [dO], 'what o received');
  assert.equal(tanh.derivative, getOp('Tanh')!.backwardNote);
  closeAll(tanh.inputs[0].grad!.values, [dN], 'o sends ∂ℓ/∂n');
  closeAll(lin.gradOut.values, [dN], 'what n received');
  assert.deepEqual(
    lin.params.map((p) => p.key),
    ['n.weight', 'n.bias'],
  );
  closeAll(lin.params[0].grad!.values, [dN * 2, dN * 0], '∂ℓ/∂w = ∂ℓ/∂n · x');
  closeAll(lin.params[1].grad!.values, [dN], '∂ℓ/∂b = ∂ℓ/∂n');
  assert.equal(lin.inputs[0].grad, undefined, 'the Input is fed: no gradient');
  assert.deepEqual(
    lin.primitives.map((p) => p.op),
    ['Linear'],
    'Linear is one fused op of the tape',
  );
  assert.deepEqual(
    loss.primitives.map((p) => p.op),
    ['Mean', 'Square', 'Sub'],
    'MSELoss is three',
  );

  // Every edge the gradient crossed carries it: n → o carries ∂ℓ/∂n, o → loss ∂ℓ/∂o; the fed edges none.
  assert.deepEqual(
    trace.edges.map((e) => [e.from, e.to, e.grad !== undefined]),
    [
      ['x', 'n', false],
      ['n', 'o', true],
      ['o', 'loss', true],
      ['t', 'loss', false],
    ],
  );
  closeAll(trace.edges[1].grad!.values, [dN], 'edge n → o');
  closeAll(trace.edges[2].grad!.values, [dO], 'edge o → loss');

  // SGD, lr 0.1: θ ← θ − 0.1 · ∂ℓ/∂θ.
  assert.equal(trace.optimizer.name, 'SGD, lr 0.1');
  const [w, b] = trace.update[0].params;
  closeAll(w.before.values, [-3, 1], 'w before');
  closeAll(w.after.values, [-3 - 0.1 * dN * 2, 1], 'w after');
  closeAll(b.after.values, [B - 0.1 * dN], 'b after');
  closeAll(w.delta.values, [-0.1 * dN * 2, 0], 'w change', 1e-4);
  assert.equal(w.images?.before.layout, 'matrix');
  assert.deepEqual([w.images!.before.rows, w.images!.before.cols], [1, 2], 'the weight [out, in] as its matrix');
});

// x → fc1 → a → fc2 → sum(a, fc2) → out → loss: `a` feeds two consumers.
const branching = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'a', op: 'Sigmoid' },
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
  training: { seed: 3, optimizer: { type: 'Adam', lr: 0.05 } },
};
const rows: Dataset = {
  n: 2,
  inputs: Float32Array.from([0.5, -1, 2, 1.5, 0.25, -0.75]),
  inputShape: [3],
  targets: Float32Array.from([1, -1, 0.5, 2]),
  targetShape: [2],
  targetDtype: 'float32',
};

test("against autograd: each node's received gradient, each edge's and each parameter's, and the sum over two consumers", async () => {
  const { trace, trainer } = await traceOf(branching, rows);
  // The reference: the same model from the same seed, the same batch, autograd keeping every node's gradient.
  const ref = GraphModel.create(JSON.stringify(branching));
  const batch = batches(rows, 2, 0, 0).next().value!;
  const pass = ref.forward({ x: batch.inputs, y: batch.targets }, { training: true, retainGrads: true });
  pass.loss!.backward();
  const values = (t: Tensor | null | undefined) => Array.from(t!.dataSync());

  assert.deepEqual(
    trace.forward.map((f) => f.node),
    ref.order.filter((id) => !['x', 'y'].includes(id)),
    'forward: the compiled order',
  );
  for (const f of trace.forward) assert.deepEqual(f.output, summarize(values(pass.values.get(f.node))), `${f.node}: the same output as the reference`);

  // Backward: a node's backward runs only once every consumer's has.
  const at = new Map(trace.backward.map((b, i) => [b.node, i]));
  for (const e of branching.edges) if (at.has(e.from)) assert.ok(at.get(e.from)! > at.get(e.to)!, `${e.from} after its consumer ${e.to}`);
  assert.deepEqual([...at.keys()].sort(), ['a', 'fc1', 'fc2', 'loss', 'out', 'sum']);

  for (const b of trace.backward) {
    if (b.node === 'loss') continue;
    closeAll(b.gradOut.values, values(pass.values.get(b.node)!.grad), `∂ℓ/∂${b.node}`);
    for (const p of b.params) closeAll(p.grad!.values, values(ref.state.get(p.key)!.grad), `∂ℓ/∂${p.key}`);
  }
  // `a` feeds fc2 and sum: what it received is the sum of the two edges' gradients, each as its consumer sent it.
  const a = trace.backward[at.get('a')!];
  assert.deepEqual(a.consumers, [2, 3]);
  const [viaFc2, viaSum] = a.consumers.map((i) => trace.edges[i].grad!.values!);
  closeAll(
    viaFc2.map((v, i) => v + viaSum[i]),
    values(pass.values.get('a')!.grad),
    'the sum of its consumers',
  );
  // sum = a + fc2: what it sends to each input is what it received (the Add's local derivative is 1).
  closeAll(trace.edges[3].grad!.values, values(pass.values.get('sum')!.grad), 'Add passes its gradient to port 0');
  closeAll(trace.edges[4].grad!.values, values(pass.values.get('sum')!.grad), 'and to port 1');
  assert.equal(trace.backward[at.get('sum')!].inputs.length, 2);

  // The update: before is the reference's initial weights; after is what the trainer's model now holds.
  for (const u of trace.update) {
    for (const p of u.params) {
      assert.deepEqual(p.before.values, values(ref.state.get(p.key)), `${p.key} before`);
      assert.deepEqual(p.after.values, values(trainer.model.state.get(p.key)), `${p.key} after`);
    }
  }
  assert.deepEqual(
    trace.update.map((u) => u.node),
    ['fc1', 'fc2', 'out'],
  );
  assert.match(trace.optimizer.rule, /m̂/);
});

test('a traced step is the same step as an untraced one, bit for bit', async () => {
  const data: Dataset = {
    ...rows,
    n: 6,
    inputs: Float32Array.from({ length: 18 }, (_, i) => Math.sin(i)),
    targets: Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)),
  };
  const plain = new Trainer(GraphModel.create(JSON.stringify(branching)), data, null, { batchSize: 4, epochs: 2, seed: 1 });
  const traced = new Trainer(GraphModel.create(JSON.stringify(branching)), data, null, { batchSize: 4, epochs: 2, seed: 1 });
  for (let s = 0; s < 3; s++) {
    const a = await plain.trainStep({ stats: true });
    const { result: b } = await traced.trainStepTraced({ stats: true });
    assert.deepEqual(b, a, `step ${s + 1}: the same result`);
  }
  for (const [key, p] of plain.model.state) assert.deepEqual(Array.from(traced.model.state.get(key)!.dataSync()), Array.from(p.dataSync()), key);
});

test('caps: a budget of image cells leaves summaries only, and primitives past the cap are counted', async () => {
  const { trace } = await traceOf(branching, rows, 2, { imageCells: 10, primitives: 1 });
  assert.ok(
    trace.forward.every((f) => f.heatmap === undefined && f.output !== undefined),
    'summaries, no heatmaps',
  );
  assert.ok(
    trace.update.every((u) => u.params.every((p) => p.images === undefined)),
    'no weight images',
  );
  const loss = trace.backward.find((b) => b.node === 'loss')!;
  assert.deepEqual(
    loss.primitives.map((p) => p.op),
    ['Mean'],
  );
  assert.equal(loss.primitivesOmitted, 2);
  assert.ok(
    trace.omitted.some((o) => /output heatmaps/.test(o)) &&
      trace.omitted.some((o) => /weight images/.test(o)) &&
      trace.omitted.some((o) => /primitive/.test(o)),
    trace.omitted.join('; '),
  );
  const full = (await traceOf(branching, rows)).trace;
  assert.deepEqual(full.omitted, []);
  assert.deepEqual(full.forward[0].heatmap, {
    rows: 2,
    cols: 4,
    colBlock: 1,
    sourceRows: 2,
    sourceCols: 4,
    values: full.forward[0].output!.values!.map((v) => Number(v.toPrecision(4))),
  });
});

test("a wide output's heatmap: its first rows, columns averaged in blocks", async () => {
  const wide = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 130 } },
      { id: 's', op: 'Sum' },
      { id: 'y', op: 'Target', attrs: { shape: [] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 's' },
      { from: 's', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  };
  const n = 40;
  const data: Dataset = {
    n,
    inputs: Float32Array.from({ length: 3 * n }, (_, i) => Math.sin(i)),
    inputShape: [3],
    targets: new Float32Array(n),
    targetShape: [],
    targetDtype: 'float32',
  };
  const trainer = new Trainer(GraphModel.create(JSON.stringify(wide)), data, null, { batchSize: n, epochs: 1, seed: 0 });
  const ref = GraphModel.create(JSON.stringify(wide));
  const { trace } = await trainer.trainStepTraced();
  const hm = trace.forward[0].heatmap!;
  // 130 columns in blocks of 3 (at most 64 columns): 44 cells a row; 32 rows of the 40.
  assert.deepEqual([hm.rows, hm.cols, hm.colBlock, hm.sourceRows, hm.sourceCols], [32, 44, 3, 40, 130]);
  const batch = batches(data, n, 0, 0).next().value!;
  const out = Array.from(ref.forward({ x: batch.inputs }, { training: false, computeLoss: false }).values.get('fc')!.dataSync());
  const cell = (r: number, c: number) => {
    const xs = out.slice(r * 130 + 3 * c, r * 130 + Math.min(130, 3 * c + 3));
    return xs.reduce((s, v) => s + v, 0) / xs.length;
  };
  for (const [r, c] of [
    [0, 0],
    [5, 17],
    [31, 43],
  ])
    close(hm.values[r * 44 + c], cell(r, c), `cell ${r},${c}`, 1e-3);
});

test("weight images: a Linear's [out, in] matrix, a Conv2d's kernels, a large matrix in block means", () => {
  const lin = weightImage(
    Float32Array.from({ length: 12 }, (_, i) => i - 6),
    [3, 4],
  );
  assert.deepEqual([lin.layout, lin.rows, lin.cols, lin.min, lin.max], ['matrix', 3, 4, -6, 5]);
  assert.deepEqual(
    lin.values,
    Array.from({ length: 12 }, (_, i) => i - 6),
  );
  const bias = weightImage([1, 2, 3], [3]);
  assert.deepEqual([bias.rows, bias.cols], [1, 3]);
  const conv = weightImage(
    Float32Array.from({ length: 16 * 8 * 9 }, (_, i) => i),
    [16, 8, 3, 3],
  );
  assert.deepEqual([conv.layout, conv.outChannels, conv.inChannels, conv.rows, conv.cols], ['kernels', 16, 8, 3, 3]);
  assert.equal(conv.values.length, 16 * 8 * 9);
  assert.deepEqual(conv.values.slice(9 * 9, 9 * 10), [81, 82, 83, 84, 85, 86, 87, 88, 89], 'kernel (1, 1) is [out 1][in 1]');
  const big = weightImage(
    Float32Array.from({ length: 200 * 300 }, (_, i) => i % 300),
    [200, 300],
  );
  // 200 rows in blocks of 4 (≤ 64 rows), 300 columns in blocks of 3 (≤ 128).
  assert.deepEqual([big.rows, big.cols, big.rowBlock, big.colBlock], [50, 100, 4, 3]);
  assert.equal(big.values[7], (21 + 22 + 23) / 3);
  const wide = weightImage(
    Float32Array.from({ length: 64 * 3 * 9 }, () => 1),
    [64, 3, 3, 3],
  );
  assert.deepEqual([wide.outChannels, wide.inChannels], [32, 3], 'the first 32 output channels drawn');
  assert.equal(wide.values.length, 32 * 3 * 9);
});
