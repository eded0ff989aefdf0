/**
 * Gradient checking of engine ops against the float64 references in ./reference.ts.
 *
 * For one op and one set of inputs, gradcheck():
 *  1. draws every float input from the engine's seeded generator (Random), rounds it to float32 and
 *     gives the very same numbers to the engine (as float32) and to the reference (as float64);
 *  2. checks the engine's forward output (shape and values) against the reference forward;
 *  3. draws a fixed random tensor R of the output's shape and back-propagates L = sum(output · R)
 *     through the engine, which gives the analytic dL/dx for each input;
 *  4. differentiates the same L = Σ ref(x) · R numerically in float64 by central differences with one
 *     Richardson step, D = (4·D(h/2) − D(h)) / 3 with D(h) = (L(x + h) − L(x − h)) / 2h and h = 1e-3.
 *     Its truncation error is O(h⁴ · L⁽⁵⁾) ≈ 1e-12 and its rounding error ≈ 1e-16·|L| / h ≈ 1e-13·|L|,
 *     so for the smooth ops and moderate inputs here the numeric gradient is exact to ~1e-10, far below
 *     float32 resolution: every mismatch is the engine's. Inputs must stay more than h away from kinks
 *     (ReLU at 0, ties in a max-pool window), which the generators below take care of.
 *
 * Tolerances (|a − b| <= abs + rel·|b|, a the engine's float32 value, b the float64 reference):
 *  - forward:  abs 1e-5, rel 1e-4. A float32 op rounds each result to 2⁻²⁴ ≈ 6e-8 relative; ops built
 *    from several float32 ops (LayerNorm, BatchNorm, losses) or summing K products (matmul, conv) add a
 *    few ulps per step, up to K·6e-8·Σ|terms| absolute when the sum cancels. The worst measured on
 *    these cases is 4e-7 absolute (a conv2d output summing 27 products); everything passes at abs 1e-6,
 *    rel 1e-5, so the bound keeps a 10× margin, while a real mistake (a wrong formula, index, divisor,
 *    sign or padding rule) is off by orders of magnitude more.
 *  - gradient: abs 3e-5·max(1, max|b|), rel 3e-4. The analytic gradient goes through a chain of float32
 *    backward kernels, and for normalisation layers, softmax and broadcast reductions it is a
 *    difference or a sum of many terms (the gradient of a normalised output sums to ~0 along the
 *    normalised axis), so its error is relative to the size of the terms rather than of the result:
 *    hence the absolute part, scaled by the gradient's largest entry so that it does not depend on the
 *    loss's units. The numeric side contributes nothing measurable (above). Everything here passes at
 *    a tenth of these bounds (abs 3e-6·max, rel 3e-5); a wrong derivative is off by O(1).
 * A case can override the tolerances, with its reason beside it.
 */
import assert from 'node:assert/strict';
import { Random, Tensor, mul, sum } from '../../engine';
import { arr, sizeOf, type Arr } from './reference';

export interface Tolerances {
  fwdAbs: number;
  fwdRel: number;
  gradAbs: number;
  gradRel: number;
}

export const DEFAULT_TOL: Tolerances = { fwdAbs: 1e-5, fwdRel: 1e-4, gradAbs: 3e-5, gradRel: 3e-4 };

/** Fills n values from the seeded generator. */
export type Gen = (rng: Random, n: number) => number[];

export interface InputSpec {
  shape: readonly number[];
  /** Fixed values; when left out they are drawn by gen. */
  data?: ArrayLike<number>;
  /** Default: standard normal. */
  gen?: Gen;
  dtype?: 'float32' | 'int32';
  /** Check this input's gradient (default: true for float32 inputs, never for int32). */
  grad?: boolean;
}

export interface GradCheckCase {
  name: string;
  inputs: readonly InputSpec[];
  /** The engine op under test. Gets one Tensor per input. */
  op: (ts: Tensor[]) => Tensor;
  /** The float64 reference of the same op. Gets one Arr per input (int32 inputs as exact integers). */
  ref: (xs: Arr[]) => Arr;
  seed?: number;
  tol?: Partial<Tolerances>;
  /** Finite-difference step (default 1e-3). */
  h?: number;
}

export interface GradCheckReport {
  maxFwdErr: number;
  maxGradErr: number;
}

// ───────────────────────────── input generators ─────────────────────────────

export const normal =
  (std = 1, mean = 0): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => mean + std * rng.normal());
export const uniform =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => rng.uniformRange(lo, hi));
/** |v| in [lo, hi] with a random sign: keeps values off a kink at 0. */
export const awayFromZero =
  (lo: number, hi: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1) * rng.uniformRange(lo, hi));
/** n distinct values at least `gap` apart, shuffled (max-pool without near-ties). */
export const distinct =
  (gap = 0.05): Gen =>
  (rng, n) => {
    const perm = rng.permutation(n);
    return Array.from(perm, (p) => (p - n / 2) * gap + rng.uniformRange(0, gap / 4));
  };
export const ints =
  (lo: number, hiExclusive: number): Gen =>
  (rng, n) =>
    Array.from({ length: n }, () => lo + rng.int(hiExclusive - lo));

// ───────────────────────────── comparison ─────────────────────────────

/** Largest |a−b| / (abs + rel·|b|) over the elements (≤ 1 passes), with where it happened. */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, abs: number, rel: number): { ratio: number; at: number } {
  let ratio = 0,
    at = -1;
  for (let i = 0; i < b.length; i++) {
    const r = Number.isNaN(a[i]) !== Number.isNaN(b[i]) ? Infinity : a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]) / (abs + rel * Math.abs(b[i]));
    if (!(r <= ratio)) {
      ratio = r;
      at = i;
    }
  }
  return { ratio, at };
}

const fmt = (xs: ArrayLike<number>, n = 12) =>
  '[' +
  Array.from(xs)
    .slice(0, n)
    .map((v) => v.toPrecision(8))
    .join(', ') +
  (xs.length > n ? ', …' : '') +
  ']';

/** Assert a (engine, float32) ≈ b (reference, float64) elementwise. */
export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, abs: number, rel: number, what: string): number {
  assert.equal(a.length, b.length, `${what}: ${a.length} values, expected ${b.length}`);
  const { ratio, at } = worst(a, b, abs, rel);
  if (ratio > 1) {
    assert.fail(
      `${what}: element ${at} is ${a[at]}, expected ${b[at]} (|diff| ${Math.abs(a[at] - b[at]).toExponential(2)} > ${abs} + ${rel}·|expected|)\n  got      ${fmt(a)}\n  expected ${fmt(b)}`,
    );
  }
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// ───────────────────────────── the check ─────────────────────────────

/** Draw the inputs of a case (rounded to float32) from its seeded stream. */
export function drawInputs(c: Pick<GradCheckCase, 'inputs' | 'seed' | 'name'>): number[][] {
  const rng = new Random(c.seed ?? 1234, 'gradcheck', c.name);
  return c.inputs.map((inp) => {
    const n = sizeOf(inp.shape);
    const raw = inp.data ? Array.from(inp.data) : (inp.gen ?? normal())(rng, n);
    assert.equal(raw.length, n, `${c.name}: input data has ${raw.length} values for shape [${inp.shape.join(', ')}]`);
    return inp.dtype === 'int32' ? raw.map((v) => Math.trunc(v)) : raw.map((v) => Math.fround(v));
  });
}

export function gradcheck(c: GradCheckCase): GradCheckReport {
  const tol = { ...DEFAULT_TOL, ...c.tol };
  const h = c.h ?? 1e-3;
  const values = drawInputs(c);
  const wantsGrad = c.inputs.map((inp) => inp.dtype !== 'int32' && inp.grad !== false);

  // Engine forward.
  const ts = c.inputs.map((inp, i) => Tensor.fromData(values[i], inp.shape, inp.dtype ?? 'float32', wantsGrad[i]));
  const y = c.op(ts);
  const refY = c.ref(values.map((v, i) => arr(v, c.inputs[i].shape)));
  assert.deepEqual([...y.shape], refY.shape, `${c.name}: output shape`);
  const maxFwdErr = assertClose(y.dataSync(), refY.data, tol.fwdAbs, tol.fwdRel, `${c.name}: forward`);

  if (!wantsGrad.some(Boolean)) return { maxFwdErr, maxGradErr: 0 };

  // Engine backward of L = sum(y · R).
  const rngR = new Random(c.seed ?? 1234, 'gradcheck-R', c.name);
  const R = Array.from({ length: refY.data.length }, () => Math.fround(rngR.normal()));
  sum(mul(y, Tensor.fromData(R, y.shape))).backward();

  // Numeric gradient of the same L through the reference.
  const L = (xs: number[][]): number => {
    const out = c.ref(xs.map((v, i) => arr(v, c.inputs[i].shape)));
    let s = 0;
    for (let i = 0; i < out.data.length; i++) s += out.data[i] * R[i];
    return s;
  };
  let maxGradErr = 0;
  for (let i = 0; i < c.inputs.length; i++) {
    if (!wantsGrad[i]) {
      assert.equal(ts[i].grad, null, `${c.name}: input ${i} does not require grad but got one`);
      continue;
    }
    const g = ts[i].grad;
    assert.ok(g, `${c.name}: input ${i} got no gradient`);
    assert.deepEqual([...g.shape], [...c.inputs[i].shape], `${c.name}: gradient shape of input ${i}`);
    const xs = values.map((v) => v.slice());
    const num = new Float64Array(values[i].length);
    const central = (j: number, step: number): number => {
      const x0 = values[i][j];
      xs[i][j] = x0 + step;
      const lp = L(xs);
      xs[i][j] = x0 - step;
      const lm = L(xs);
      xs[i][j] = x0;
      return (lp - lm) / (2 * step);
    };
    for (let j = 0; j < num.length; j++) num[j] = (4 * central(j, h / 2) - central(j, h)) / 3;
    const scale = Math.max(1, ...Array.from(num, Math.abs));
    maxGradErr = Math.max(maxGradErr, assertClose(g.dataSync(), num, tol.gradAbs * scale, tol.gradRel, `${c.name}: gradient of input ${i}`));
  }
  return { maxFwdErr, maxGradErr };
}
