// Analytic FLOPs: every op declares its cost (engine/graph/registry.ts `flops`), counted as docs/training.md states
// (a multiply-add is 2 FLOPs, any other arithmetic, comparison or elementary function 1), and nodeFlops works out which
// inputs want a gradient and which nodes run a backward at all, as the engine's tape does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allOps, analyzeModel, getOp, GraphModel, nodeFlops, Tensor, updateFlops, type BackwardEvent, type TensorType } from '../../engine';
import { randomModel } from './randomGraph';

const f32 = (...shape: TensorType['shape']): TensorType => ({ shape, dtype: 'float32' });
const i32 = (...shape: TensorType['shape']): TensorType => ({ shape, dtype: 'int32' });

test('every registered op declares its FLOPs', () => {
  for (const o of allOps()) assert.equal(typeof o.flops, 'function', `${o.op} has no flops`);
});

test('Linear: 2 FLOPs per multiply-add, the product once forward and once per gradient backward, plus the bias', () => {
  const linear = getOp('Linear')!;
  const [n, inF, outF] = [5, 3, 4];
  const product = 2 * n * inF * outF; // every output value: inF multiply-adds
  const bias = n * outF;
  const x = f32('N', inF),
    y = f32('N', outF);
  assert.deepEqual(linear.flops([x], { outFeatures: outF, bias: true }, y, n, [true]), { forward: product + bias, backward: product + product + bias });
  // The first layer's input needs no gradient: only dW (and db) are computed.
  assert.deepEqual(linear.flops([x], { outFeatures: outF, bias: true }, y, n, [false]), { forward: product + bias, backward: product + bias });
  assert.deepEqual(linear.flops([x], { outFeatures: outF, bias: false }, y, n, [true]), { forward: product, backward: 2 * product });
  // Over a sequence [N, T, in], every position is a row.
  assert.equal(linear.flops([f32('N', 7, inF)], { outFeatures: outF, bias: false }, f32('N', 7, outF), n, [true]).forward, 2 * n * 7 * inF * outF);
});

test('Conv2d: the kernel volume inC·kH·kW per output value, likewise for each gradient', () => {
  const conv = getOp('Conv2d')!;
  const [n, inC, outC, k, h] = [2, 2, 3, 3, 7];
  const out = (h - k + 1) ** 2; // stride 1, no padding: 5 × 5
  const outs = n * outC * out;
  const product = 2 * outs * inC * k * k;
  const attrs = { outChannels: outC, kernelSize: k, stride: 1, padding: 0, bias: true };
  assert.deepEqual(conv.flops([f32('N', inC, h, h)], attrs, f32('N', outC, 5, 5), n, [true]), { forward: product + outs, backward: 2 * product + outs });
  assert.deepEqual(conv.flops([f32('N', inC, h, h)], attrs, f32('N', outC, 5, 5), n, [false]), { forward: product + outs, backward: product + outs });
});

test('ReLU: one per element each way; nothing backward when its input wants no gradient', () => {
  const relu = getOp('ReLU')!;
  assert.deepEqual(relu.flops([f32('N', 8)], {}, f32('N', 8), 4, [true]), { forward: 32, backward: 32 });
  assert.deepEqual(relu.flops([f32('N', 8)], {}, f32('N', 8), 4, [false]), { forward: 32, backward: 0 });
});

test('the losses: MSELoss and CrossEntropyLoss by their definitions', () => {
  // MSE over [4, 3]: x − t, its square and the sum per value, one division; backward 2·(x − t)·dy and the 1/n scale.
  const p = 4 * 3;
  assert.deepEqual(getOp('MSELoss')!.flops([f32('N', 3), f32('N', 3)], {}, f32(), 4, [true, false]), { forward: 3 * p + 1, backward: 3 * p });
  // Cross-entropy over [4, 10] logits: per logit max, x − max, exp, sum (4); per row log, + max, − the label's logit
  // and the mean's add (4); the division. Backward: the softmax again (4), exp, divide, scale (4 more), − 1 per row.
  const [rows, c] = [4, 10];
  assert.deepEqual(getOp('CrossEntropyLoss')!.flops([f32('N', c), i32('N')], {}, f32(), rows, [true, false]), {
    forward: 4 * rows * c + 4 * rows + 1,
    backward: 8 * rows * c + rows,
  });
});

test("the optimizers' update: SGD 2 per parameter value, Adam 13", () => {
  assert.equal(updateFlops({ type: 'SGD', lr: 0.1 }, 10), 20);
  assert.equal(updateFlops({ type: 'SGD', lr: 0.1, momentum: 0.9 }, 10), 50);
  assert.equal(updateFlops({ type: 'Adam', lr: 0.1 }, 10), 130);
  assert.equal(updateFlops(undefined, 10), 130, 'the default optimizer is Adam');
});

test('nodeFlops on the MLP template: no input gradient for the first layer, every node in forward order', () => {
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 16 } },
      { id: 'act1', op: 'ReLU' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 16 } },
      { id: 'act2', op: 'ReLU' },
      { id: 'fc3', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
      // Computed but not on the loss's path: a forward, no backward.
      { id: 'side', op: 'Linear', attrs: { outFeatures: 3 } },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act1' },
      { from: 'act1', to: 'fc2' },
      { from: 'fc2', to: 'act2' },
      { from: 'act2', to: 'fc3' },
      { from: 'fc3', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
      { from: 'x', to: 'side' },
    ],
  };
  const b = 16;
  const analysis = analyzeModel(JSON.stringify(json));
  const f = nodeFlops(analysis, b);
  const lin = (i: number, o: number, dx: boolean) => ({ forward: 2 * b * i * o + b * o, backward: (dx ? 2 : 1) * 2 * b * i * o + b * o });
  assert.deepEqual(
    [...f.keys()],
    analysis.order.filter((id) => !['x', 'y'].includes(id)),
  );
  assert.deepEqual(f.get('fc1'), lin(2, 16, false));
  assert.deepEqual(f.get('act1'), { forward: b * 16, backward: b * 16 });
  assert.deepEqual(f.get('fc2'), lin(16, 16, true));
  assert.deepEqual(f.get('fc3'), lin(16, 2, true));
  assert.deepEqual(f.get('loss'), { forward: 4 * b * 2 + 4 * b + 1, backward: 8 * b * 2 + b });
  assert.deepEqual(f.get('side'), { forward: 2 * b * 2 * 3 + b * 3, backward: 0 });
});

test('on random graphs over the whole op set, a node counts backward FLOPs only where the engine runs a backward for it', () => {
  const seen = new Set<string>();
  // Ops whose backward is no arithmetic (views, copies, a broadcast): they may run one with 0 FLOPs.
  const FREE_BACKWARD = new Set(['Flatten', 'Reshape', 'Concat', 'Sum', 'Add']);
  for (let seed = 1; seed <= 40; seed++) {
    const r = randomModel(seed);
    for (const op of r.ops) seen.add(op);
    const model = GraphModel.create(JSON.stringify(r.model));
    const feeds = Object.fromEntries(Object.entries(r.feeds).map(([id, t]) => [id, Tensor.fromData(t.data, t.shape, t.dtype)]));
    const pass = model.forward(feeds, { training: true, step: 0 });
    const ran = new Set<string>();
    if (pass.loss!.requiresGrad) pass.loss!.backward(undefined, { observe: (e: BackwardEvent) => void (e.node.scope && ran.add(e.node.scope)) });
    const flops = nodeFlops(model.analysis, r.batch);
    for (const [id, f] of flops) {
      const op = model.nodes.get(id)!.spec!.op;
      assert.ok(
        Number.isFinite(f.forward) && f.forward >= 0 && Number.isFinite(f.backward) && f.backward >= 0,
        `seed ${seed}: ${id} (${op}) ${JSON.stringify(f)}`,
      );
      if (f.backward > 0) assert.ok(ran.has(id), `seed ${seed}: ${id} (${op}) counts ${f.backward} backward FLOPs but the engine ran no backward op for it`);
      else if (ran.has(id)) assert.ok(FREE_BACKWARD.has(op), `seed ${seed}: ${id} (${op}) ran a backward the count leaves out`);
    }
  }
  const computed = allOps()
    .filter((o) => !o.isSource)
    .map((o) => o.op);
  assert.deepEqual(
    computed.filter((op) => !seen.has(op)),
    [],
    'the random graphs cover every op',
  );
});
