/**
 * Op-level correctness: every engine op's forward against a float64 reference and its backward against
 * finite differences of that reference (see ./gradcheck.ts for the method and tolerances), then the
 * PyTorch numerics the spec pins down (stable softmax and losses, gradients at kinks, pooling rules,
 * BatchNorm's running statistics, GELU's exact values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Random,
  Tensor,
  abs,
  add,
  addN,
  avgPool2d,
  batchNorm1d,
  bceWithLogitsLoss,
  concat,
  conv2d,
  crossEntropyLoss,
  div,
  dropout,
  embedding,
  emptyBatchNormState,
  exp,
  flatten,
  gelu,
  layerNorm,
  leakyRelu,
  linear,
  log,
  logSoftmax,
  matmul,
  maxPool2d,
  mean,
  mseLoss,
  mul,
  neg,
  pow,
  relu,
  reshape,
  rsqrt,
  sigmoid,
  softmax,
  softplus,
  sqrt,
  square,
  sub,
  sum,
  tanh,
} from '../../engine';
import { erf as engineErf } from '../../engine/backend/cpu/special';
import * as R from './reference';
import { assertClose, awayFromZero, distinct, gradcheck, ints, normal, uniform, type GradCheckCase, type InputSpec } from './gradcheck';

const check = (c: GradCheckCase) => gradcheck(c);
const f32 = (shape: readonly number[], gen?: InputSpec['gen'], grad?: boolean): InputSpec => ({ shape, gen, grad });
const i32 = (shape: readonly number[], data: ArrayLike<number>): InputSpec => ({ shape, data, dtype: 'int32' });

const UNARY_SHAPES: readonly (readonly number[])[] = [[3, 4], [2, 3, 2], [], [1]];

// ───────────────────────────── elementwise unary ─────────────────────────────

const unaryCases: [string, (x: Tensor) => Tensor, (x: R.Arr) => R.Arr, InputSpec['gen']][] = [
  ['neg', neg, R.neg, normal()],
  ['exp', exp, R.exp, normal(1.5)],
  ['log', log, R.log, uniform(0.2, 4)],
  ['relu', relu, R.relu, awayFromZero(0.05, 2)],
  ['leakyRelu(0.01)', (x) => leakyRelu(x), (x) => R.leakyRelu(x, 0.01), awayFromZero(0.05, 2)],
  ['leakyRelu(0.2)', (x) => leakyRelu(x, 0.2), (x) => R.leakyRelu(x, 0.2), awayFromZero(0.05, 2)],
  ['tanh', tanh, R.tanh, normal(1.5)],
  ['sigmoid', sigmoid, R.sigmoid, normal(3)],
  ['gelu', (x) => gelu(x), R.gelu, normal(2)],
  ['gelu tanh', (x) => gelu(x, 'tanh'), R.geluTanh, normal(2)],
  ['pow 2', (x) => pow(x, 2), (x) => R.pow(x, 2), normal()],
  ['pow 3', (x) => pow(x, 3), (x) => R.pow(x, 3), normal()],
  ['pow 1', (x) => pow(x, 1), (x) => R.pow(x, 1), normal()],
  ['pow 0.5', (x) => pow(x, 0.5), (x) => R.pow(x, 0.5), uniform(0.2, 3)],
  ['pow -1.5', (x) => pow(x, -1.5), (x) => R.pow(x, -1.5), uniform(0.3, 3)],
  ['pow 0', (x) => pow(x, 0), (x) => R.pow(x, 0), normal()],
  ['sqrt', sqrt, R.sqrt, uniform(0.2, 4)],
  ['rsqrt', rsqrt, R.rsqrt, uniform(0.3, 4)],
  ['square', square, R.square, normal()],
  ['abs', abs, R.abs, awayFromZero(0.05, 2)],
  ['softplus', softplus, R.softplus, normal(4)],
];

for (const [name, op, ref, gen] of unaryCases) {
  test(`${name}: forward and gradient match the float64 reference`, () => {
    for (const shape of UNARY_SHAPES) check({ name: `${name} [${shape.join(',')}]`, inputs: [f32(shape, gen)], op: ([x]) => op(x), ref: ([x]) => ref(x) });
  });
}

test('softplus: large |x| stays accurate (PyTorch threshold 20 and the far negative tail)', () => {
  const data = [-40, -25, -20.5, -5, 0, 5, 19.5, 20.5, 30, 80];
  check({
    name: 'softplus tails',
    inputs: [{ shape: [data.length], data }],
    op: ([x]) => softplus(x),
    ref: ([x]) => R.softplus(x),
    tol: { fwdAbs: 0, fwdRel: 1e-6 },
  });
});

// ───────────────────────────── broadcasting binary ─────────────────────────────

const BINARY_SHAPES: [number[], number[]][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [[4, 5], [5]], // [N, C] + [C]: a bias
  [[5], [4, 5]],
  [
    [4, 1],
    [1, 5],
  ], // [N, 1] ∘ [1, C]: an outer product
  [
    [2, 3, 4],
    [3, 1],
  ],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [
    [1, 3, 1],
    [2, 1, 4],
  ],
  [[3, 4], []], // a scalar
  [[], [2, 3]],
  [[], []],
  [[1], [3, 4]],
  [
    [3, 4],
    [1, 4],
  ],
  [
    [2, 3, 4],
    [2, 1, 1],
  ],
];

const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (a: R.Arr, b: R.Arr) => R.Arr, InputSpec['gen']][] = [
  ['add', add, R.add, normal()],
  ['sub', sub, R.sub, normal()],
  ['mul', mul, R.mul, normal()],
  ['div', div, R.div, awayFromZero(0.5, 2)],
];

for (const [name, op, ref, genB] of binaryCases) {
  test(`${name}: forward and gradients with NumPy broadcasting`, () => {
    for (const [sa, sb] of BINARY_SHAPES) {
      check({ name: `${name} [${sa}] [${sb}]`, inputs: [f32(sa), f32(sb, genB)], op: ([a, b]) => op(a, b), ref: ([a, b]) => ref(a, b) });
    }
    // Only one side needs a gradient.
    check({ name: `${name} no grad for b`, inputs: [f32([3, 4]), f32([4], genB, false)], op: ([a, b]) => op(a, b), ref: ([a, b]) => ref(a, b) });
    check({ name: `${name} no grad for a`, inputs: [f32([3, 1], undefined, false), f32([3, 4], genB)], op: ([a, b]) => op(a, b), ref: ([a, b]) => ref(a, b) });
  });
}

test('the same tensor on both sides of a binary op gets both gradients', () => {
  check({ name: 'mul(x, x)', inputs: [f32([2, 3])], op: ([x]) => mul(x, x), ref: ([x]) => R.mul(x, x) });
  check({ name: 'div(x, x)', inputs: [f32([2, 3], awayFromZero(0.5, 2))], op: ([x]) => div(x, x), ref: ([x]) => R.div(x, x) });
});

test('addN sums three broadcast inputs', () => {
  check({ name: 'addN', inputs: [f32([2, 3]), f32([3]), f32([2, 1])], op: (xs) => addN(xs), ref: ([a, b, c]) => R.add(R.add(a, b), c) });
});

// ───────────────────────────── matmul, linear ─────────────────────────────

test('matmul: 2-D and batched products', () => {
  const shapes: [number[], number[]][] = [
    [
      [3, 4],
      [4, 5],
    ],
    [
      [1, 3],
      [3, 1],
    ],
    [
      [5, 7],
      [7, 6],
    ], // 4-row blocks plus a remainder row
    [
      [4, 1],
      [1, 3],
    ],
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
    [
      [3, 5, 2],
      [3, 2, 6],
    ],
    [
      [2, 3],
      [3, 260],
    ], // wider than one column tile
  ];
  for (const [sa, sb] of shapes)
    check({ name: `matmul [${sa}] @ [${sb}]`, inputs: [f32(sa), f32(sb)], op: ([a, b]) => matmul(a, b), ref: ([a, b]) => R.matmul(a, b) });
});

test('matmul: exact zeros in A (ReLU outputs) do not change the product or the gradients', () => {
  const a = [0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, -1, 0.5, 0, 0, 0, 0, 0, 3];
  check({ name: 'matmul zeros', inputs: [{ shape: [5, 4], data: a }, f32([4, 3])], op: ([x, y]) => matmul(x, y), ref: ([x, y]) => R.matmul(x, y) });
});

/**
 * Sizes past the CPU GEMM's blocking (k blocks of 256, row blocks of 128, column blocks of 2048, 4×4
 * micro-tiles with ragged edges) are too big for finite differences, so the gradients of
 * L = Σ y·R are checked against the exact adjoints computed in float64: for Y = A·B, dA = R·Bᵀ and
 * dB = Aᵀ·R; for Y = x·Wᵀ + b, dx = R·W, dW = Rᵀ·x, db = Σ_rows R; for conv2d, the adjoint loops in
 * reference.ts. A float32 dot product of K terms errs by at most about K·2⁻²⁴·Σ|terms| and typically by
 * √K times less (rounding errors of random sign); for K ≈ 300 standard normal terms that is ~1e-6 of
 * the result's scale, which is what these cases measure. The bound, abs 2e-5·max(1, max|expected|)
 * + rel 1e-4, leaves a 20× margin; a dropped or misplaced block is off by O(1).
 */
function checkLarge(
  name: string,
  inputs: readonly (readonly number[])[],
  op: (ts: Tensor[]) => Tensor,
  fwd: (xs: R.Arr[]) => R.Arr,
  grads: (xs: R.Arr[], r: R.Arr) => R.Arr[],
): void {
  const rng = new Random(7, 'large', name);
  const vals = inputs.map((shape) => Array.from({ length: R.sizeOf(shape) }, () => Math.fround(rng.normal())));
  const ts = vals.map((v, i) => Tensor.fromData(v, inputs[i], 'float32', true));
  const xs = vals.map((v, i) => R.arr(v, inputs[i]));
  const y = op(ts);
  const want = fwd(xs);
  assert.deepEqual([...y.shape], want.shape, `${name}: output shape`);
  const tol = (b: R.Arr) => 2e-5 * Math.max(1, ...Array.from(b.data, Math.abs));
  assertClose(y.dataSync(), want.data, tol(want), 1e-4, `${name}: forward`);
  const r = R.arr(
    Array.from({ length: want.data.length }, () => Math.fround(rng.normal())),
    want.shape,
  );
  y.backward(Tensor.fromData(r.data, want.shape));
  grads(xs, r).forEach((g, i) => assertClose(ts[i].grad!.dataSync(), g.data, tol(g), 1e-4, `${name}: gradient of input ${i}`));
}

test('matmul, linear and conv2d at sizes that cross the GEMM blocking', () => {
  const T = R.transposeLast2;
  for (const [sa, sb] of [
    [
      [133, 301],
      [301, 67],
    ],
    [
      [3, 37, 259],
      [3, 259, 11],
    ],
    [
      [5, 9],
      [9, 2101],
    ],
    [
      [130, 3],
      [3, 5],
    ],
  ] as [number[], number[]][]) {
    checkLarge(
      `matmul [${sa}] @ [${sb}]`,
      [sa, sb],
      ([a, b]) => matmul(a, b),
      ([a, b]) => R.matmul(a, b),
      ([a, b], r) => [R.matmul(r, T(b)), R.matmul(T(a), r)],
    );
  }
  checkLarge(
    'linear [150,270] -> 33',
    [[150, 270], [33, 270], [33]],
    ([x, w, b]) => linear(x, w, b),
    ([x, w, b]) => R.linear(x, w, b),
    ([x, w], r) => [R.matmul(r, w), R.matmul(T(r), x), R.sum(r, [0])],
  );
  for (const [xs, ws, s, p] of [
    [[2, 32, 9, 9], [16, 32, 3, 3], 1, 1], // C·kh·kw = 288 > 256
    [[1, 3, 40, 40], [5, 3, 5, 5], 2, 2],
  ] as [number[], number[], number, number][]) {
    checkLarge(
      `conv2d x[${xs}] w[${ws}] s=${s} p=${p}`,
      [xs, ws, [ws[0]]],
      ([x, w, b]) => conv2d(x, w, b, s, p),
      ([x, w, b]) => R.conv2d(x, w, b, s, p),
      ([x, w], r) => {
        const { dx, dw, db } = R.conv2dAdjoint(x, w, r, s, p);
        return [dx, dw, db];
      },
    );
  }
});

test('linear: x·Wᵀ + b over the last dim', () => {
  const cases: [number[], number, boolean][] = [
    [[4, 3], 5, true],
    [[4, 3], 5, false],
    [[2, 3, 4], 2, true],
    [[3], 4, true],
    [[6, 1], 1, true],
  ];
  for (const [xs, out, bias] of cases) {
    const inF = xs[xs.length - 1];
    const inputs = [f32(xs), f32([out, inF]), ...(bias ? [f32([out])] : [])];
    check({ name: `linear [${xs}] -> ${out} bias=${bias}`, inputs, op: ([x, w, b]) => linear(x, w, b), ref: ([x, w, b]) => R.linear(x, w, b ?? null) });
  }
});

// ───────────────────────────── reductions, shapes ─────────────────────────────

test('sum and mean over dims, with and without keepDim', () => {
  const dimsList: (number[] | undefined)[] = [undefined, [0], [1], [-1], [0, 2], [2, 0], [0, 1, 2]];
  for (const dims of dimsList) {
    for (const keepDim of [false, true]) {
      const tag = `dims=${dims ? `[${dims}]` : 'all'} keepDim=${keepDim}`;
      check({ name: `sum ${tag}`, inputs: [f32([2, 3, 4])], op: ([x]) => sum(x, dims, keepDim), ref: ([x]) => R.sum(x, dims, keepDim) });
      check({ name: `mean ${tag}`, inputs: [f32([2, 3, 4])], op: ([x]) => mean(x, dims, keepDim), ref: ([x]) => R.mean(x, dims, keepDim) });
    }
  }
  check({ name: 'sum of a scalar', inputs: [f32([])], op: ([x]) => sum(x), ref: ([x]) => R.sum(x) });
  check({ name: 'mean [5,1] dim 1', inputs: [f32([5, 1])], op: ([x]) => mean(x, [1]), ref: ([x]) => R.mean(x, [1]) });
});

test('reshape and flatten keep values and route gradients back', () => {
  for (const shape of [[6, 4], [-1, 2], [24], [2, -1, 3], [4, 3, 2]]) {
    check({ name: `reshape [2,3,4] -> [${shape}]`, inputs: [f32([2, 3, 4])], op: ([x]) => reshape(x, shape), ref: ([x]) => R.reshape(x, shape) });
  }
  check({ name: 'flatten [2,3,4]', inputs: [f32([2, 3, 4])], op: ([x]) => flatten(x), ref: ([x]) => R.flatten(x) });
  check({ name: 'flatten [3,2,2,2]', inputs: [f32([3, 2, 2, 2])], op: ([x]) => flatten(x), ref: ([x]) => R.flatten(x) });
  // Reshape feeding an op: the gradient of the reshaped tensor lands back in the original layout.
  check({
    name: 'reshape then mul',
    inputs: [f32([2, 6]), f32([3, 4])],
    op: ([x, w]) => mul(reshape(x, [3, 4]), w),
    ref: ([x, w]) => R.mul(R.reshape(x, [3, 4]), w),
  });
});

test('concat along any dim, gradients sliced back apart', () => {
  check({ name: 'concat last', inputs: [f32([2, 3]), f32([2, 4])], op: (xs) => concat(xs), ref: (xs) => R.concat(xs) });
  check({ name: 'concat dim 0', inputs: [f32([1, 3]), f32([2, 3]), f32([3, 3])], op: (xs) => concat(xs, 0), ref: (xs) => R.concat(xs, 0) });
  check({ name: 'concat dim 1 of 3-D', inputs: [f32([2, 2, 3]), f32([2, 1, 3])], op: (xs) => concat(xs, 1), ref: (xs) => R.concat(xs, 1) });
  check({ name: 'concat dim -2', inputs: [f32([2, 2, 3]), f32([2, 3, 3])], op: (xs) => concat(xs, -2), ref: (xs) => R.concat(xs, -2) });
  check({ name: 'concat one without grad', inputs: [f32([2, 3], undefined, false), f32([2, 2])], op: (xs) => concat(xs, 1), ref: (xs) => R.concat(xs, 1) });
});

// ───────────────────────────── softmax family ─────────────────────────────

test('softmax and logSoftmax along a dim', () => {
  const cases: [number[], number][] = [
    [[3, 5], -1],
    [[3, 5], 0],
    [[2, 4, 3], 1],
    [[2, 4, 3], -1],
    [[2, 4, 3], 0],
    [[6], 0],
  ];
  for (const [shape, dim] of cases) {
    check({ name: `softmax [${shape}] dim ${dim}`, inputs: [f32(shape, normal(3))], op: ([x]) => softmax(x, dim), ref: ([x]) => R.softmax(x, dim) });
    check({ name: `logSoftmax [${shape}] dim ${dim}`, inputs: [f32(shape, normal(3))], op: ([x]) => logSoftmax(x, dim), ref: ([x]) => R.logSoftmax(x, dim) });
  }
});

test('softmax and logSoftmax stay finite and exact with logits of ±1000', () => {
  const x = Tensor.fromData([1000, 0, -1000, 1000, 1000, -1000], [2, 3], 'float32', true);
  const p = softmax(x);
  assertClose(p.dataSync(), [1, 0, 0, 0.5, 0.5, 0], 1e-7, 0, 'softmax(±1000)');
  const lp = logSoftmax(x);
  assertClose(lp.dataSync(), [0, -1000, -2000, -Math.LN2, -Math.LN2, -2000 - Math.LN2], 1e-5, 1e-7, 'logSoftmax(±1000)');
  // d/dx Σ w·logSoftmax(x) = w − softmax(x)·Σw, per row.
  const w = [1, 2, 3, 1, -1, 2];
  sum(mul(lp, Tensor.fromData(w, [2, 3]))).backward();
  assertClose(x.grad!.dataSync(), [1 - 6, 2, 3, 1 - 1, -1 - 1, 2], 1e-6, 0, 'logSoftmax(±1000) gradient');
  const x2 = Tensor.fromData([1000, -1000], [1, 2], 'float32', true);
  sum(mul(softmax(x2), Tensor.fromData([1, 0], [1, 2]))).backward();
  assert.ok([...x2.grad!.dataSync()].every(Number.isFinite), 'softmax gradient at ±1000 is finite');
  assertClose(x2.grad!.dataSync(), [0, 0], 1e-30, 0, 'softmax(±1000) gradient');
});

// ───────────────────────────── conv, pooling ─────────────────────────────

test('conv2d with stride, padding and bias', () => {
  const cases: { x: number[]; w: number[]; bias: boolean; stride: number | [number, number]; padding: number | [number, number] }[] = [
    { x: [2, 3, 5, 5], w: [4, 3, 3, 3], bias: true, stride: 1, padding: 0 },
    { x: [2, 3, 5, 5], w: [4, 3, 3, 3], bias: true, stride: 2, padding: 1 },
    { x: [1, 2, 6, 5], w: [3, 2, 2, 3], bias: true, stride: [2, 1], padding: [1, 0] },
    { x: [2, 2, 4, 4], w: [3, 2, 3, 3], bias: false, stride: 1, padding: 1 },
    { x: [3, 2, 3, 3], w: [2, 2, 3, 3], bias: true, stride: 1, padding: 0 }, // 1×1 output
    { x: [1, 1, 4, 4], w: [1, 1, 1, 1], bias: true, stride: 1, padding: 0 },
    { x: [1, 2, 6, 7], w: [2, 2, 3, 3], bias: true, stride: 2, padding: 0 }, // (6−3)/2 and (7−3)/2 not whole: floor
    { x: [2, 1, 5, 5], w: [2, 1, 2, 2], bias: true, stride: 3, padding: 1 }, // the last input row/column unused
  ];
  for (const k of cases) {
    const inputs = [f32(k.x), f32(k.w), ...(k.bias ? [f32([k.w[0]])] : [])];
    check({
      name: `conv2d x[${k.x}] w[${k.w}] s=${k.stride} p=${k.padding} bias=${k.bias}`,
      inputs,
      op: ([x, w, b]) => conv2d(x, w, b ?? null, k.stride, k.padding),
      ref: ([x, w, b]) => R.conv2d(x, w, b ?? null, k.stride, k.padding),
    });
  }
});

test('maxPool2d and avgPool2d: forward and gradient', () => {
  const cases: { x: number[]; k: number | [number, number]; s?: number | [number, number]; p?: number | [number, number] }[] = [
    { x: [2, 2, 4, 4], k: 2 },
    { x: [1, 2, 5, 5], k: 3, s: 1, p: 1 },
    { x: [1, 1, 5, 5], k: 3, s: 2, p: 1 },
    { x: [2, 1, 4, 6], k: [2, 3], s: [2, 1] },
    { x: [1, 2, 5, 4], k: [3, 2], s: [1, 2], p: [1, 1] },
    { x: [1, 2, 5, 5], k: 2 }, // (5−2)/2 not whole: floor, the last row and column are dropped
    { x: [2, 1, 7, 6], k: 3, s: 2, p: 1 },
  ];
  for (const k of cases) {
    const tag = `x[${k.x}] k=${k.k} s=${k.s ?? 'k'} p=${k.p ?? 0}`;
    check({
      name: `maxPool2d ${tag}`,
      inputs: [f32(k.x, distinct())],
      op: ([x]) => maxPool2d(x, k.k, k.s, k.p),
      ref: ([x]) => R.maxPool2d(x, k.k, k.s, k.p ?? 0),
    });
    check({ name: `avgPool2d ${tag}`, inputs: [f32(k.x)], op: ([x]) => avgPool2d(x, k.k, k.s, k.p), ref: ([x]) => R.avgPool2d(x, k.k, k.s, k.p ?? 0) });
  }
});

test('maxPool2d sends the gradient to the first maximum in row-major order on ties', () => {
  // One 2×2 window per case: the gradient must land on the first maximum only.
  const windows: [number[], number][] = [
    [[1, 1, 1, 1], 0],
    [[0, 3, 3, 2], 1],
    [[0, 2, 5, 5], 2],
    [[-1, -2, -1, -1], 0],
  ];
  for (const [vals, first] of windows) {
    const x = Tensor.fromData(vals, [1, 1, 2, 2], 'float32', true);
    const y = maxPool2d(x, 2);
    assert.equal(y.itemSync(), Math.max(...vals));
    y.backward();
    const want = [0, 0, 0, 0];
    want[first] = 1;
    assert.deepEqual([...x.grad!.dataSync()], want, `ties in ${vals}`);
  }
  // Overlapping windows (stride 1) on a constant input: each window's gradient goes to its top-left cell.
  const x = Tensor.fromData(new Array(9).fill(2), [1, 1, 3, 3], 'float32', true);
  maxPool2d(x, 2, 1).backward(Tensor.fromData([1, 10, 100, 1000], [1, 1, 2, 2]));
  assert.deepEqual([...x.grad!.dataSync()], [1, 10, 0, 100, 1000, 0, 0, 0, 0]);
});

test('maxPool2d padding never wins (padded with −∞, as PyTorch)', () => {
  const vals = [-5, -3, -4, -2];
  const x = Tensor.fromData(vals, [1, 1, 2, 2], 'float32', true);
  const y = maxPool2d(x, 2, 1, 1); // 3×3 output, every window partly padding
  assert.deepEqual([...y.dataSync()], [-5, -3, -3, -4, -2, -2, -4, -2, -2]);
  y.backward(Tensor.full([1, 1, 3, 3], 1));
  assert.deepEqual([...x.grad!.dataSync()], [1, 2, 2, 4]);
});

test('avgPool2d with padding divides by the padded window (count_include_pad)', () => {
  const x = Tensor.fromData([1, 2, 3, 4], [1, 1, 2, 2], 'float32', true);
  const y = avgPool2d(x, 2, 1, 1); // every output window is 2×2 = 4 cells, padding included
  assertClose(y.dataSync(), [1 / 4, 3 / 4, 2 / 4, 4 / 4, 10 / 4, 6 / 4, 3 / 4, 7 / 4, 4 / 4], 1e-7, 0, 'avgPool2d padded');
  y.backward(Tensor.full([1, 1, 3, 3], 1));
  // Each input cell sits in 4 windows, each passing back 1/4.
  assertClose(x.grad!.dataSync(), [1, 1, 1, 1], 1e-7, 0, 'avgPool2d padded gradient');
  // kernel 3, stride 2, padding 1 on 3×3 ones: the corner windows hold 4 real cells of 9.
  const ones = Tensor.fromData(new Array(9).fill(1), [1, 1, 3, 3]);
  assertClose(avgPool2d(ones, 3, 2, 1).dataSync(), [4 / 9, 4 / 9, 4 / 9, 4 / 9], 1e-7, 0, 'avgPool2d k3 s2 p1');
});

// ───────────────────────────── normalisation ─────────────────────────────

test('batchNorm1d in training mode: output and gradients through the batch statistics', () => {
  for (const [n, c] of [
    [5, 3],
    [2, 4],
    [8, 1],
  ]) {
    check({
      name: `batchNorm1d train [${n},${c}]`,
      inputs: [f32([n, c], normal(2, 1)), f32([c], uniform(0.5, 1.5)), f32([c])],
      op: ([x, w, b]) => batchNorm1d(x, w, b, emptyBatchNormState(c), { training: true }),
      ref: ([x, w, b]) => R.batchNorm1dTrain(x, w, b).y,
    });
  }
  check({
    name: 'batchNorm1d train, no affine',
    inputs: [f32([4, 3], normal(3))],
    op: ([x]) => batchNorm1d(x, null, null, emptyBatchNormState(3), { training: true, eps: 1e-3 }),
    ref: ([x]) => R.batchNorm1dTrain(x, null, null, 1e-3).y,
  });
});

test('batchNorm1d running statistics after one training step, then eval mode uses them', () => {
  const x = [1, 10, 2, 20, 4, 40, 9, -6]; // [4, 2]
  const n = 4,
    c = 2;
  const state = emptyBatchNormState(c);
  batchNorm1d(Tensor.fromData(x, [n, c]), null, null, state, { training: true });
  // Hand-computed: channel 0 = 1, 2, 4, 9 (mean 4, Σ(x−m)² = 9 + 4 + 0 + 25 = 38, unbiased var 38/3);
  // channel 1 = 10, 20, 40, −6 (mean 16, Σ(x−m)² = 36 + 16 + 576 + 484 = 1112, unbiased var 1112/3).
  const wantMean = [0.9 * 0 + 0.1 * 4, 0.9 * 0 + 0.1 * 16];
  const wantVar = [0.9 * 1 + (0.1 * 38) / 3, 0.9 * 1 + (0.1 * 1112) / 3];
  assertClose(state.runningMean.dataSync(), wantMean, 1e-6, 1e-6, 'running_mean');
  assertClose(state.runningVar.dataSync(), wantVar, 1e-6, 1e-6, 'running_var');

  // Momentum 0.3 this time, starting from the state above.
  batchNorm1d(Tensor.fromData(x, [n, c]), null, null, state, { training: true, momentum: 0.3 });
  assertClose(
    state.runningMean.dataSync(),
    wantMean.map((m, j) => 0.7 * m + 0.3 * [4, 16][j]),
    1e-6,
    1e-6,
    'running_mean, momentum 0.3',
  );
  assertClose(
    state.runningVar.dataSync(),
    wantVar.map((v, j) => 0.7 * v + 0.3 * [38 / 3, 1112 / 3][j]),
    1e-6,
    1e-6,
    'running_var, momentum 0.3',
  );

  // Eval: normalise with the running estimates, gradients to x, weight and bias, state unchanged.
  const rm = [...state.runningMean.dataSync()],
    rv = [...state.runningVar.dataSync()];
  check({
    name: 'batchNorm1d eval',
    inputs: [f32([3, c], normal(3)), f32([c], uniform(0.5, 1.5)), f32([c])],
    op: ([xt, w, b]) => batchNorm1d(xt, w, b, state, { training: false }),
    ref: ([xt, w, b]) => R.batchNorm1dEval(xt, rm, rv, w, b),
  });
  assert.deepEqual([...state.runningMean.dataSync()], rm, 'eval leaves running_mean alone');
  assert.deepEqual([...state.runningVar.dataSync()], rv, 'eval leaves running_var alone');
  // Eval with a batch of one is fine (training with one is not, as in PyTorch).
  const y1 = batchNorm1d(Tensor.fromData([4, 16], [1, 2]), null, null, state, { training: false });
  assertClose(y1.dataSync(), [(4 - rm[0]) / Math.sqrt(rv[0] + 1e-5), (16 - rm[1]) / Math.sqrt(rv[1] + 1e-5)], 1e-6, 1e-5, 'eval batch of one');
  assert.throws(() => batchNorm1d(Tensor.fromData([1, 2], [1, 2]), null, null, emptyBatchNormState(2), { training: true }), /more than 1 value per channel/);
});

test('layerNorm over the last dim', () => {
  check({
    name: 'layerNorm [4,6]',
    inputs: [f32([4, 6], normal(2, 1)), f32([6], uniform(0.5, 1.5)), f32([6])],
    op: ([x, w, b]) => layerNorm(x, w, b),
    ref: ([x, w, b]) => R.layerNorm(x, w, b),
  });
  check({
    name: 'layerNorm [2,3,5] no affine',
    inputs: [f32([2, 3, 5], normal(3))],
    op: ([x]) => layerNorm(x, null, null),
    ref: ([x]) => R.layerNorm(x, null, null),
  });
  check({
    name: 'layerNorm [3,4] eps 0.1',
    inputs: [f32([3, 4]), f32([4]), f32([4])],
    op: ([x, w, b]) => layerNorm(x, w, b, 0.1),
    ref: ([x, w, b]) => R.layerNorm(x, w, b, 0.1),
  });
});

// ───────────────────────────── embedding ─────────────────────────────

test('embedding: lookup and gradient', () => {
  check({
    name: 'embedding [2,3]',
    inputs: [i32([2, 3], [4, 0, 2, 2, 1, 4]), f32([5, 3])],
    op: ([i, w]) => embedding(i, w),
    ref: ([i, w]) => R.embedding(i.data, i.shape, w),
  });
  check({
    name: 'embedding [4]',
    inputs: [{ shape: [4], gen: ints(0, 6), dtype: 'int32' }, f32([6, 2])],
    op: ([i, w]) => embedding(i, w),
    ref: ([i, w]) => R.embedding(i.data, i.shape, w),
  });
});

test('embedding gradient accumulates for repeated indices', () => {
  const w = Tensor.fromData(
    Array.from({ length: 10 }, (_, i) => i),
    [5, 2],
    'float32',
    true,
  );
  const y = embedding(Tensor.fromData([1, 1, 3, 1], [4], 'int32'), w);
  assert.deepEqual([...y.dataSync()], [2, 3, 2, 3, 6, 7, 2, 3]);
  y.backward(Tensor.fromData([1, 2, 10, 20, 100, 200, 1000, 2000], [4, 2]));
  assert.deepEqual([...w.grad!.dataSync()], [0, 0, 1011, 2022, 0, 0, 100, 200, 0, 0]);
  assert.throws(() => embedding(Tensor.fromData([5], [1], 'int32'), w), /out of range/);
  assert.throws(() => embedding(Tensor.fromData([-1], [1], 'int32'), w), /out of range/);
});

// ───────────────────────────── losses ─────────────────────────────

test('mseLoss, crossEntropyLoss and bceWithLogitsLoss: value and gradients', () => {
  check({ name: 'mseLoss [4,3]', inputs: [f32([4, 3]), f32([4, 3])], op: ([p, t]) => mseLoss(p, t), ref: ([p, t]) => R.mseLoss(p, t) });
  check({ name: 'mseLoss [5]', inputs: [f32([5]), f32([5], undefined, false)], op: ([p, t]) => mseLoss(p, t), ref: ([p, t]) => R.mseLoss(p, t) });
  check({
    name: 'crossEntropy [5,4]',
    inputs: [f32([5, 4], normal(2)), i32([5], [0, 3, 1, 1, 2])],
    op: ([x, y]) => crossEntropyLoss(x, y),
    ref: ([x, y]) => R.crossEntropyLoss(x, y.data),
  });
  check({
    name: 'crossEntropy [1,2]',
    inputs: [f32([1, 2]), i32([1], [1])],
    op: ([x, y]) => crossEntropyLoss(x, y),
    ref: ([x, y]) => R.crossEntropyLoss(x, y.data),
  });
  check({
    name: 'crossEntropy [3,7]',
    inputs: [f32([3, 7], normal(4)), { shape: [3], gen: ints(0, 7), dtype: 'int32' }],
    op: ([x, y]) => crossEntropyLoss(x, y),
    ref: ([x, y]) => R.crossEntropyLoss(x, y.data),
  });
  check({
    name: 'bceWithLogits [4,3]',
    inputs: [f32([4, 3], normal(3)), f32([4, 3], uniform(0, 1))],
    op: ([x, t]) => bceWithLogitsLoss(x, t),
    ref: ([x, t]) => R.bceWithLogitsLoss(x, t),
  });
  check({
    name: 'bceWithLogits [6] hard targets',
    inputs: [f32([6], normal(3)), { shape: [6], data: [0, 1, 1, 0, 1, 0], grad: false }],
    op: ([x, t]) => bceWithLogitsLoss(x, t),
    ref: ([x, t]) => R.bceWithLogitsLoss(x, t),
  });
  // Composed: a loss after an op, mean over a bigger batch.
  check({
    name: 'crossEntropy(linear)',
    inputs: [f32([6, 3]), f32([4, 3]), f32([4]), i32([6], [0, 1, 2, 3, 0, 1])],
    op: ([x, w, b, y]) => crossEntropyLoss(linear(x, w, b), y),
    ref: ([x, w, b, y]) => R.crossEntropyLoss(R.linear(x, w, b), y.data),
  });
});

test('crossEntropyLoss and bceWithLogitsLoss are finite and correct with logits of ±1000', () => {
  // Row 0 predicts class 0 with certainty and is right (loss 0); row 1 is certain and wrong (loss 2000).
  const logits = Tensor.fromData([1000, -1000, 1000, -1000], [2, 2], 'float32', true);
  const ce = crossEntropyLoss(logits, Tensor.fromData([0, 1], [2], 'int32'));
  assertClose([ce.itemSync()], [1000], 1e-3, 1e-6, 'cross entropy at ±1000');
  ce.backward();
  // (softmax − onehot) / N
  assertClose(logits.grad!.dataSync(), [0, 0, 0.5, -0.5], 1e-7, 0, 'cross entropy gradient at ±1000');

  const x = Tensor.fromData([1000, -1000, 1000, -1000], [4], 'float32', true);
  const t = Tensor.fromData([1, 0, 0, 1], [4], 'float32', true);
  const bce = bceWithLogitsLoss(x, t);
  // Per element: 0, 0, 1000, 1000; mean 500.
  assertClose([bce.itemSync()], [500], 1e-3, 1e-6, 'BCE with logits at ±1000');
  bce.backward();
  // d/dx = (σ(x) − t) / n, d/dt = −x / n.
  assertClose(x.grad!.dataSync(), [0, 0, 0.25, -0.25], 1e-7, 0, 'BCE gradient wrt logits at ±1000');
  assertClose(t.grad!.dataSync(), [-250, 250, -250, 250], 1e-4, 0, 'BCE gradient wrt targets at ±1000');
});

test('crossEntropyLoss with an out-of-range label throws a clear error', () => {
  const logits = Tensor.fromData([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3], 'float32', true);
  assert.throws(
    () => crossEntropyLoss(logits, Tensor.fromData([0, 3], [2], 'int32')),
    (e: Error) => /out of range/.test(e.message) && /\b3\b/.test(e.message) && /3 classes/.test(e.message),
  );
  assert.throws(
    () => crossEntropyLoss(logits, Tensor.fromData([-1, 0], [2], 'int32')),
    (e: Error) => /out of range/.test(e.message) && /-1/.test(e.message),
  );
  assert.throws(() => crossEntropyLoss(logits, Tensor.fromData([0, 1], [2])), /int32/);
  assert.throws(() => crossEntropyLoss(logits, Tensor.fromData([0, 1, 2], [3], 'int32')), /\[2, 3\]/);
});

// ───────────────────────────── kinks and known values ─────────────────────────────

test("relu'(0) = 0, leakyRelu'(0) = negativeSlope, abs'(0) = 0, pow at 0 (PyTorch)", () => {
  const grad = (f: (x: Tensor) => Tensor, v: number) => {
    const x = Tensor.fromData([v], [1], 'float32', true);
    f(x).backward(Tensor.fromData([1], [1]));
    return x.grad!.itemSync();
  };
  assert.equal(grad(relu, 0), 0);
  assert.equal(grad(relu, -0), 0);
  assert.equal(
    grad((x) => leakyRelu(x), 0),
    Math.fround(0.01),
  );
  assert.equal(
    grad((x) => leakyRelu(x, 0.2), 0),
    Math.fround(0.2),
  );
  assert.equal(
    grad((x) => leakyRelu(x, 0.2), -1),
    Math.fround(0.2),
  );
  assert.equal(
    grad((x) => leakyRelu(x, 0.2), 1),
    1,
  );
  assert.equal(grad(abs, 0), 0);
  // pow at 0: d/dx x⁰ = 0 (PyTorch returns zeros, not 0·0⁻¹ = NaN), d/dx x¹ = 1, d/dx x² = 0.
  assert.equal(
    grad((x) => pow(x, 0), 0),
    0,
  );
  assert.equal(
    grad((x) => pow(x, 1), 0),
    1,
  );
  assert.equal(
    grad((x) => pow(x, 2), 0),
    0,
  );
  assert.equal(
    grad((x) => pow(x, 3), 0),
    0,
  );
  assert.equal(relu(Tensor.fromData([0], [1])).itemSync(), 0);
  assert.equal(leakyRelu(Tensor.fromData([-2], [1]), 0.2).itemSync(), Math.fround(-0.4));
});

test('GELU matches values derived from known erf values', () => {
  // erf(1/√2) = 0.6826894921370859, erf(2/√2) = 0.9544997361036416, erf(3/√2) = 0.9973002039367398 (the
  // 1σ, 2σ, 3σ probabilities) and erf(0.5/√2) = 0.3829249225480262; Φ(x) = (1 + erf(x/√2)) / 2, φ(1) = e^(−1/2)/√(2π).
  const phi = (e: number) => 0.5 * (1 + e);
  const known: [number, number][] = [
    [1, 1 * phi(0.6826894921370859)], // 0.8413447460685429
    [-1, -1 * phi(-0.6826894921370859)],
    [-0.5, -0.5 * phi(-0.3829249225480262)], // −0.15426876936299344
    [0.5, 0.5 * phi(0.3829249225480262)],
    [2, 2 * phi(0.9544997361036416)],
    [-3, -3 * phi(-0.9973002039367398)],
    [0, 0],
  ];
  assert.equal(known[0][1], 0.8413447460685429);
  assert.ok(Math.abs(known[2][1] - -0.15426876936299344) < 1e-16);
  const x = Tensor.fromData(
    known.map(([v]) => v),
    [known.length],
    'float32',
    true,
  );
  const y = gelu(x);
  assertClose(
    y.dataSync(),
    known.map(([, v]) => v),
    1e-7,
    1e-7,
    'gelu known values',
  );
  // GELU'(x) = Φ(x) + x·φ(x); at 1: 0.8413447460685429 + 0.24197072451914337.
  y.backward(Tensor.fromData([0, 0, 0, 0, 0, 0, 1], [known.length]));
  assertClose([x.grad!.dataSync()[6]], [0.5], 1e-7, 0, "gelu'(0)");
  const x1 = Tensor.fromData([1], [1], 'float32', true);
  gelu(x1).backward(Tensor.fromData([1], [1]));
  assertClose(x1.grad!.dataSync(), [0.8413447460685429 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI)], 1e-7, 1e-7, "gelu'(1)");
  // The tanh form at 1: 0.5·(1 + tanh(√(2/π)·1.044715)), PyTorch gives 0.8411919906082768.
  const gt = gelu(Tensor.fromData([1], [1]), 'tanh').itemSync();
  assertClose([gt], [0.8411919906082768], 1e-7, 1e-7, 'gelu tanh(1)');
});

test('erf: the engine and the reference agree with known values and with each other', () => {
  const known: [number, number][] = [
    [0, 0],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [1 / Math.SQRT2, 0.6826894921370859],
    [2, 0.9953222650189527],
    [Math.SQRT2, 0.9544997361036416],
    [3 / Math.SQRT2, 0.9973002039367398],
    [3, 0.9999779095030014],
    [-1, -0.8427007929497149],
  ];
  for (const [x, v] of known) {
    assert.ok(Math.abs(R.erf(x) - v) < 2e-16 * Math.max(1, Math.abs(v)) * 4, `reference erf(${x}) = ${R.erf(x)}, expected ${v}`);
    assert.ok(Math.abs(engineErf(x) - v) < 1e-13, `engine erf(${x}) = ${engineErf(x)}, expected ${v}`);
  }
  // 1 − erf(3) = erfc(3) = 2.209049699858544e-5 (the tail, where the engine switches method).
  assert.ok(Math.abs(1 - engineErf(3) - 2.209049699858544e-5) < 1e-15);
  assert.ok(Math.abs(1 - R.erf(3) - 2.209049699858544e-5) < 1e-15);
  for (let x = -7; x <= 7; x += 0.0625) {
    assert.ok(Math.abs(engineErf(x) - R.erf(x)) < 1e-13, `erf(${x}): engine ${engineErf(x)} vs reference ${R.erf(x)}`);
  }
  for (const x of [2.4999999, 2.5, 2.5000001]) assert.ok(Math.abs(engineErf(x) - R.erf(x)) < 1e-13, `erf near the method switch at ${x}`);
});

test('NaN propagates through relu and maxPool2d as in PyTorch (so a non-finite value is not hidden)', () => {
  // torch.relu(nan) = nan (pytorch#7999, fixed in 0.4.1); its backward, threshold_backward on the
  // result, passes the gradient where the result is not <= 0, NaN included.
  const x = Tensor.fromData([NaN, -1, 2, 0], [4], 'float32', true);
  const y = relu(x);
  const yv = y.dataSync();
  assert.ok(Number.isNaN(yv[0]), `relu(NaN) is ${yv[0]}, expected NaN`);
  assert.deepEqual([...yv.slice(1)], [0, 2, 0]);
  y.backward(Tensor.fromData([1, 1, 1, 1], [4]));
  assert.deepEqual([...x.grad!.dataSync()], [1, 0, 1, 0]);
  assert.ok(Number.isNaN(leakyRelu(Tensor.fromData([NaN], [1])).itemSync()));
  // A NaN in a max-pool window is that window's output, and gets its gradient.
  const p = Tensor.fromData([1, NaN, 3, 2], [1, 1, 2, 2], 'float32', true);
  const m = maxPool2d(p, 2);
  assert.ok(Number.isNaN(m.itemSync()));
  m.backward();
  assert.deepEqual([...p.grad!.dataSync()], [0, 1, 0, 0]);
});

test('pooling padding larger than half the kernel is refused (PyTorch: "pad should be at most half of kernel size")', () => {
  const x = Tensor.fromData(new Array(16).fill(1), [1, 1, 4, 4]);
  assert.throws(() => maxPool2d(x, 2, 2, 2), /pad/);
  assert.throws(() => avgPool2d(x, 2, 2, 2), /pad/);
  assert.throws(() => maxPool2d(x, [3, 2], 1, [1, 2]), /pad/);
  // Exactly half is allowed.
  assert.deepEqual(maxPool2d(x, 2, 2, 1).shape, [1, 1, 3, 3]);
  assert.deepEqual(avgPool2d(x, 3, 1, 1).shape, [1, 1, 4, 4]);
});

// ───────────────────────────── dropout ─────────────────────────────

test('dropout: identity in eval; in training each element is 0 or x/(1−p), and the gradient follows the mask', () => {
  const x = Tensor.fromData(
    Array.from({ length: 400 }, (_, i) => 1 + (i % 7)),
    [20, 20],
    'float32',
    true,
  );
  assert.equal(dropout(x, 0.5, false, new Random(0)), x);
  const y = dropout(x, 0.25, true, new Random(0, 'dropout'));
  const xv = x.dataSync(),
    yv = y.dataSync();
  let kept = 0;
  for (let i = 0; i < xv.length; i++) {
    if (yv[i] !== 0) {
      kept++;
      assert.ok(Math.abs(yv[i] - xv[i] / 0.75) < 1e-5);
    }
  }
  assert.ok(kept > 260 && kept < 340, `kept ${kept} of 400 with p = 0.25`);
  y.backward(Tensor.full([20, 20], 1));
  const g = x.grad!.dataSync();
  for (let i = 0; i < xv.length; i++) assert.ok(Math.abs(g[i] - (yv[i] === 0 ? 0 : 1 / 0.75)) < 1e-6);
  const z = dropout(Tensor.fromData([1, 2, 3], [3]), 1, true, new Random(0));
  assert.deepEqual([...z.dataSync()], [0, 0, 0]);
  // PyTorch: "dropout probability has to be between 0 and 1".
  for (const bad of [-0.1, 1.5, NaN]) assert.throws(() => dropout(x, bad, true, new Random(0)), /between 0 and 1/);
});
