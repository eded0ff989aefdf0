// Every WebGPU kernel against the CPU backend's (the TypeScript kernels) on random inputs: odd sizes, broadcasting,
// batch 1, transposed products, padded and strided windows.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { CpuBackend } from '../../engine/backend/cpu';
import { Random } from '../../engine';
import type { Backend, BinaryOp, Conv2dGeometry, HostData, Storage, UnaryOp } from '../../engine/backend/backend';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { skipWithoutDevice, testDevice } from './device';

const cpu = new CpuBackend();
let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

/** Seeded values in [lo, hi), so a failure reproduces. */
const random = (n: number, seed: number, lo = -2, hi = 2) => {
  const r = new Random(seed, 'webgpu kernels');
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r.uniform());
};

/** Runs `fn` on both backends with the same host inputs and compares the results. */
async function same(what: string, inputs: HostData[], fn: (b: Backend, xs: Storage[]) => Storage | Storage[], tol = { rel: 1e-4, abs: 1e-5 }): Promise<void> {
  // Copies: the CPU backend keeps a Float32Array it is given, and the in-place kernels (the optimizers) would change the inputs.
  const want = [
    fn(
      cpu,
      inputs.map((x) => cpu.upload(x.slice())),
    ),
  ]
    .flat()
    .map((s) => cpu.readSync(s)!);
  const got = await Promise.all(
    [
      fn(
        gpu,
        inputs.map((x) => gpu.upload(x)),
      ),
    ]
      .flat()
      .map((s) => gpu.read(s)),
  );
  assert.equal(got.length, want.length, what);
  want.forEach((w, k) => {
    const g = got[k];
    assert.equal(g.length, w.length, `${what}[${k}]: length`);
    for (let i = 0; i < w.length; i++) {
      const a = g[i],
        b = w[i];
      if (Number.isNaN(b)) {
        assert.ok(Number.isNaN(a), `${what}[${k}][${i}]: ${a}, want NaN`);
        continue;
      }
      if (!Number.isFinite(b)) {
        assert.equal(a, b, `${what}[${k}][${i}]`);
        continue;
      }
      assert.ok(Math.abs(a - b) <= tol.abs + tol.rel * Math.abs(b), `${what}[${k}][${i}]: ${a}, want ${b}`);
    }
  });
}

const UNARY: [UnaryOp, number?, [number, number]?][] = [
  ['neg'],
  ['exp'],
  ['relu'],
  ['leakyRelu', 0.1],
  ['tanh'],
  ['sigmoid'],
  ['gelu'],
  ['geluTanh'],
  ['pow', 3],
  ['pow', 2.5, [0.1, 3]],
  ['abs'],
  ['square'],
  ['softplus'],
  ['log', undefined, [0.1, 4]],
  ['sqrt', undefined, [0.1, 4]],
  ['rsqrt', undefined, [0.1, 4]],
  ['reciprocal', undefined, [0.5, 4]],
];

test('unary ops and their gradients match the CPU, with large and tiny inputs', async (t) => {
  if (skip) return t.skip(skip);
  for (const [op, param, range] of UNARY) {
    const x = random(1037, 1, ...(range ?? [-6, 6]));
    if (!range) x.set([0, 30, -30, 12, -12], 0);
    const gy = random(1037, 2);
    await same(`${op}`, [x], (b, [xs]) => b.unary(op, xs, x.length, param), { rel: 2e-5, abs: 2e-6 });
    await same(`${op}'`, [x, gy], (b, [xs, g]) => b.unaryBackward(op, xs, b.unary(op, xs, x.length, param), g, x.length, param), { rel: 1e-4, abs: 1e-5 });
  }
});

test('pow at a zero base follows Math.pow (WGSL leaves pow(0, e) undefined): 0, 1 or Infinity, and the NaN guard sees the same gradients', async (t) => {
  if (skip) return t.skip(skip);
  // The gradient at 0 of x^0.5 is Infinity (NaN against a zero incoming gradient): the CPU stops the run there.
  const x = new Float32Array([0, 0, 0, 1, 4]);
  const gy = new Float32Array([1, 0, -2, 1, 1]);
  for (const e of [0.5, 2, 3, -1, -0.5, 0, 1]) {
    await same(`pow ${e} at 0`, [x], (b, [xs]) => b.unary('pow', xs, x.length, e), { rel: 1e-6, abs: 0 });
    await same(`pow ${e}' at 0`, [x, gy], (b, [xs, g]) => b.unaryBackward('pow', xs, b.unary('pow', xs, x.length, e), g, x.length, e), { rel: 1e-6, abs: 0 });
  }
});

test("log, sqrt, rsqrt and reciprocal at 0 and below give the CPU's infinities and NaNs (WGSL leaves them undefined)", async (t) => {
  if (skip) return t.skip(skip);
  const x = new Float32Array([0, -0, -1, 1e-30, 2]);
  const gy = new Float32Array([1, 1, 1, 0, 1]);
  for (const op of ['log', 'sqrt', 'rsqrt', 'reciprocal'] as UnaryOp[]) {
    await same(`${op} at 0`, [x], (b, [xs]) => b.unary(op, xs, x.length), { rel: 1e-6, abs: 0 });
    await same(`${op}' at 0`, [x, gy], (b, [xs, g]) => b.unaryBackward(op, xs, b.unary(op, xs, x.length), g, x.length), { rel: 1e-5, abs: 0 });
  }
});

test('binary ops broadcast as NumPy: equal shapes, a bias row, a column, both sides, scalars', async (t) => {
  if (skip) return t.skip(skip);
  const cases: [number[], number[]][] = [
    [
      [7, 13],
      [7, 13],
    ],
    [[7, 13], [13]],
    [
      [3, 5, 4],
      [5, 1],
    ],
    [
      [1, 5],
      [6, 1],
    ],
    [[2, 3, 4, 5], [1]],
    [[1], [3, 1, 2]],
    [[1], [1]],
  ];
  for (const [as, bs] of cases) {
    const out = Array.from({ length: Math.max(as.length, bs.length) }, (_, i) => {
      const da = as[as.length - Math.max(as.length, bs.length) + i] ?? 1;
      const db = bs[bs.length - Math.max(as.length, bs.length) + i] ?? 1;
      return Math.max(da, db);
    });
    const a = random(
      as.reduce((p, d) => p * d, 1),
      3,
    );
    const b = random(
      bs.reduce((p, d) => p * d, 1),
      4,
      0.5,
      2,
    );
    for (const op of ['add', 'sub', 'mul', 'div'] as BinaryOp[]) {
      await same(`${op} ${as} ${bs}`, [a, b], (k, [x, y]) => k.binary(op, x, as, y, bs, out));
    }
    await same(
      `sumTo ${out} → ${bs}`,
      [
        random(
          out.reduce((p, d) => p * d, 1),
          5,
        ),
      ],
      (k, [x]) => k.sumTo(x, out, bs),
    );
    await same(`broadcastTo ${bs} → ${out}`, [b], (k, [x]) => k.broadcastTo(x, bs, out));
  }
});

test('axpby, scale, sum over axes, sums of squares, casts and fills', async (t) => {
  if (skip) return t.skip(skip);
  const a = random(1000, 6),
    b = random(1000, 7);
  await same('axpby', [a, b], (k, [x, y]) => k.axpby(x, 0.3, y, -1.7, 1000));
  await same('scale', [a], (k, [x]) => k.scale(x, -0.25, 1000));
  await same('sum axes 0,2', [random(3 * 4 * 5, 8)], (k, [x]) => k.sum(x, [3, 4, 5], [0, 2]));
  await same('sum axis 1', [random(3 * 4 * 5, 8)], (k, [x]) => k.sum(x, [3, 4, 5], [1]));
  await same('sumSquares', [random(100003, 9)], (k, [x]) => k.sumSquares(x, 100003), { rel: 1e-4, abs: 1e-3 });
  await same('cast to int32', [Float32Array.of(1.7, -1.7, 0, 3)], (k, [x]) => k.cast(x, 'int32'));
  await same('cast to float32', [Int32Array.of(1, -2, 3)], (k, [x]) => k.cast(x, 'float32'));
  await same('zeros', [], (k) => k.zeros(37, 'float32'));
  await same('full', [], (k) => k.full(37, 2.5));
  await same('copy', [a], (k, [x]) => k.copy(x));
});

test('matmul in every transposed form, with sizes that do not fill a tile, batched and batch 1', async (t) => {
  if (skip) return t.skip(skip);
  for (const [batch, m, n, k] of [
    [1, 1, 1, 1],
    [1, 67, 33, 19],
    [3, 5, 70, 130],
    [1, 128, 64, 16],
  ]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = random(batch * m * k, 10 + m),
          b = random(batch * k * n, 20 + n);
        await same(`matmul b${batch} ${m}×${n}×${k} ${tA}/${tB}`, [a, b], (be, [x, y]) => be.matmul(x, y, batch, m, n, k, tA, tB), { rel: 1e-4, abs: 1e-4 });
      }
    }
  }
  await same('addRowVector', [random(7 * 11, 30), random(11, 31)], (k, [x, bias]) => k.addRowVector(k.copy(x), bias, 7, 11));
});

test('softmax and log-softmax along a middle axis, their gradients, and the losses', async (t) => {
  if (skip) return t.skip(skip);
  const x = random(3 * 7 * 5, 40, -8, 8),
    gy = random(3 * 7 * 5, 41);
  for (const log of [false, true]) {
    await same(`softmax log=${log}`, [x], (k, [v]) => k.softmax(v, 3, 7, 5, log));
    await same(`softmax' log=${log}`, [x, gy], (k, [v, g]) => k.softmaxBackward(k.softmax(v, 3, 7, 5, log), g, 3, 7, 5, log));
  }
  const logits = random(9 * 4, 42, -5, 5),
    labels = Int32Array.of(0, 3, 1, 2, 2, 0, 3, 1, 0);
  await same('crossEntropy', [logits, labels], (k, [l, y]) => k.crossEntropy(l, y, 9, 4));
  await same("crossEntropy'", [logits, labels, Float32Array.of(0.7)], (k, [l, y, g]) => k.crossEntropyBackward(l, y, g, 9, 4));
  const bx = random(50, 43, -30, 30),
    bt = random(50, 44, 0, 1),
    bg = random(50, 45);
  await same('bceWithLogits', [bx, bt], (k, [v, tt]) => k.bceWithLogits(v, tt, 50), { rel: 1e-4, abs: 1e-6 });
  await same("bceWithLogits'", [bx, bt, bg], (k, [v, tt, g]) => k.bceWithLogitsBackward(v, tt, g, 50));
});

const geometries: Conv2dGeometry[] = [
  { n: 2, c: 3, h: 7, w: 6, outC: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oh: 7, ow: 6 },
  { n: 1, c: 2, h: 9, w: 8, outC: 3, kh: 3, kw: 2, sh: 2, sw: 3, ph: 0, pw: 1, oh: 4, ow: 3 },
  { n: 3, c: 1, h: 5, w: 5, outC: 2, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, oh: 5, ow: 5 },
];

test('conv2d with and without bias, and both of its gradients, over padded and strided windows', async (t) => {
  if (skip) return t.skip(skip);
  for (const g of geometries) {
    const x = random(g.n * g.c * g.h * g.w, 50),
      w = random(g.outC * g.c * g.kh * g.kw, 51),
      bias = random(g.outC, 52);
    const gy = random(g.n * g.outC * g.oh * g.ow, 53);
    await same(`conv2d ${JSON.stringify(g)}`, [x, w], (k, [a, b]) => k.conv2d(a, b, g, null));
    await same(`conv2d+bias`, [x, w, bias], (k, [a, b, c]) => k.conv2d(a, b, g, c));
    await same(`conv2d dX`, [gy, w], (k, [a, b]) => k.conv2dBackwardInput(a, b, g));
    await same(`conv2d dW`, [gy, x], (k, [a, b]) => k.conv2dBackwardWeight(a, b, g), { rel: 1e-4, abs: 1e-4 });
  }
});

test('max and average pooling with their gradients: padding, strides, ties going to the first maximum', async (t) => {
  if (skip) return t.skip(skip);
  const pools: Conv2dGeometry[] = [
    { n: 2, c: 3, h: 6, w: 6, outC: 3, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, oh: 3, ow: 3 },
    { n: 1, c: 2, h: 7, w: 5, outC: 2, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 1, oh: 4, ow: 5 },
  ];
  for (const g of pools) {
    // Rounded values make ties, so the first maximum matters.
    const x = random(g.n * g.c * g.h * g.w, 60).map((v) => Math.round(v * 2) / 2);
    const gy = random(g.n * g.c * g.oh * g.ow, 61);
    await same(`maxPool2d ${JSON.stringify(g)}`, [x], (k, [a]) => {
      const { out, argmax } = k.maxPool2d(a, g);
      return [out, argmax];
    });
    await same('maxPool2d dX', [x, gy], (k, [a, b]) => k.maxPool2dBackward(b, k.maxPool2d(a, g).argmax, g));
    await same('avgPool2d', [x], (k, [a]) => k.avgPool2d(a, g));
    await same('avgPool2d dX', [gy], (k, [b]) => k.avgPool2dBackward(b, g));
  }
});

test('concat and slice of float and int32 tensors, gather and its gradient with repeated indices', async (t) => {
  if (skip) return t.skip(skip);
  const a = random(2 * 3 * 4, 70),
    b = random(2 * 5 * 4, 71);
  await same('concat', [a, b], (k, [x, y]) => k.concat([x, y], 2, [3, 5], 4));
  await same('concat int32', [Int32Array.of(1, 2, 3, 4), Int32Array.of(5, 6)], (k, [x, y]) => k.concat([x, y], 2, [2, 1], 1));
  await same('slice', [b], (k, [x]) => k.slice(x, 2, 5, 4, 1, 3));
  const w = random(6 * 4, 72),
    idx = Int32Array.of(5, 0, 2, 2, 5, 1, 0);
  await same('gather', [w, idx], (k, [x, i]) => k.gather(x, i, 7, 6, 4));
  await same("gather'", [random(7 * 4, 73), idx], (k, [g, i]) => k.gatherBackward(g, i, 7, 6, 4));
});

test('SGD (plain, momentum, Nesterov, weight decay) and Adam/AdamW update in place as the CPU does', async (t) => {
  if (skip) return t.skip(skip);
  const n = 301;
  const p = random(n, 80),
    g = random(n, 81),
    buf = random(n, 82),
    m = random(n, 83),
    v = random(n, 84, 0, 1);
  for (const h of [
    { lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false, dampening: 0, first: false },
    { lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true, dampening: 0, first: false },
    { lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false, dampening: 0.1, first: true },
  ]) {
    await same(`sgd ${JSON.stringify(h)}`, [p, g, buf], (k, [ps, gs, bs]) => {
      k.sgdStep(ps, gs, h.momentum ? bs : null, n, h);
      return [ps, bs];
    });
  }
  for (const decoupled of [false, true]) {
    const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.02, decoupled, step: 3 };
    await same(`adam decoupled=${decoupled}`, [p, g, m, v], (k, [ps, gs, ms, vs]) => {
      k.adamStep(ps, gs, ms, vs, n, h);
      return [ps, ms, vs];
    });
  }
});

test('allFinite finds a NaN and an infinity anywhere in a large tensor', async (t) => {
  if (skip) return t.skip(skip);
  const x = random(70001, 90);
  assert.equal(await gpu.allFinite(gpu.upload(x), x.length), true);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const y = x.slice();
    y[69999] = bad;
    assert.equal(await gpu.allFinite(gpu.upload(y), y.length), false, String(bad));
  }
});
