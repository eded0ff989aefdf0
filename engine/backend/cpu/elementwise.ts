/** CPU kernels for elementwise ops: unary forward/backward and broadcasting binary ops. */
import type { BinaryOp, UnaryOp } from '../backend';
import { stridesOf, type Shape } from '../../shape';
import { normalCdf, normalPdf } from './special';
import { floatsFrom, floatsLike, type Floats } from './floats';

const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_C = 0.044715;

function softplus(x: number): number {
  return x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  // Two branches keep exp from overflowing for large |x|.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function unary(op: UnaryOp, x: Floats, param = 0): Floats {
  const n = x.length;
  const y = floatsLike(x, n);
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) y[i] = -x[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
      break;
    case 'log':
      for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
      break;
    // NaN propagates, as torch.relu's (a NaN must not be hidden from the non-finite check).
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 || v !== v ? v : 0;
      }
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : v * param;
      }
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v * normalCdf(v);
      }
      break;
    case 'geluTanh':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
      }
      break;
    case 'pow':
      for (let i = 0; i < n; i++) y[i] = Math.pow(x[i], param);
      break;
    case 'abs':
      for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]);
      break;
    case 'rsqrt':
      for (let i = 0; i < n; i++) y[i] = 1 / Math.sqrt(x[i]);
      break;
    case 'square':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v * v;
      }
      break;
    case 'reciprocal':
      for (let i = 0; i < n; i++) y[i] = 1 / x[i];
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) y[i] = softplus(x[i]);
      break;
    default:
      throw new Error(`cpu backend: unknown unary op ${op as string}`);
  }
  return y;
}

export function unaryBackward(op: UnaryOp, x: Floats, y: Floats, gy: Floats, param = 0): Floats {
  const n = x.length;
  const g = floatsLike(gy, n);
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) g[i] = -gy[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) g[i] = gy[i] * y[i];
      break;
    case 'log':
      for (let i = 0; i < n; i++) g[i] = gy[i] / x[i];
      break;
    // PyTorch: relu'(0) = 0; leaky_relu'(0) = negative_slope.
    // As PyTorch's threshold_backward: zero where x <= 0, the gradient elsewhere (NaN included).
    case 'relu':
      for (let i = 0; i < n; i++) g[i] = x[i] <= 0 ? 0 : gy[i];
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) g[i] = x[i] > 0 ? gy[i] : gy[i] * param;
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const t = y[i];
        g[i] = gy[i] * (1 - t * t);
      }
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const s = y[i];
        g[i] = gy[i] * s * (1 - s);
      }
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        g[i] = gy[i] * (normalCdf(v) + v * normalPdf(v));
      }
      break;
    case 'geluTanh':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const inner = SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
        const t = Math.tanh(inner);
        const dInner = SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
        g[i] = gy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner);
      }
      break;
    case 'pow':
      for (let i = 0; i < n; i++) g[i] = param === 0 ? 0 : gy[i] * param * Math.pow(x[i], param - 1);
      break;
    case 'abs':
      for (let i = 0; i < n; i++) g[i] = gy[i] * Math.sign(x[i]);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) g[i] = (gy[i] * 0.5) / y[i];
      break;
    case 'rsqrt':
      for (let i = 0; i < n; i++) {
        const r = y[i];
        g[i] = gy[i] * -0.5 * r * r * r;
      }
      break;
    case 'square':
      for (let i = 0; i < n; i++) g[i] = gy[i] * 2 * x[i];
      break;
    case 'reciprocal':
      for (let i = 0; i < n; i++) {
        const r = y[i];
        g[i] = -gy[i] * r * r;
      }
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) g[i] = gy[i] * sigmoid(x[i]);
      break;
    default:
      throw new Error(`cpu backend: unknown unary op ${op as string}`);
  }
  return g;
}

type Fn2 = (a: number, b: number) => number;
const FNS: Record<BinaryOp, Fn2> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/** Strides of `shape` aligned to outShape's rank, 0 along broadcast dims. */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const s = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_d, i) => (i < off || shape[i - off] === 1 ? 0 : s[i - off]));
}

/** Calls visit(outIndex, aIndex, bIndex) for each output element, odometer-style. */
function forEachBroadcast(outShape: Shape, sa: number[], sb: number[], visit: (o: number, ia: number, ib: number) => void): void {
  const rank = outShape.length;
  const total = outShape.reduce((p, d) => p * d, 1);
  if (total === 0) return;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; o++) {
    visit(o, ia, ib);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * idx[d];
      ib -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
}

/**
 * When `small` (aligned right against `big`) equals `big` on one contiguous run of dims and is 1
 * everywhere else: the sizes before, along and after that run. Null for any other layout.
 */
export function middleBlock(small: Shape, big: Shape): { outer: number; mid: number; inner: number } | null {
  const off = big.length - small.length;
  if (off < 0) return null;
  const d = (i: number) => (i < off ? 1 : small[i - off]);
  let lo = 0;
  while (lo < big.length && d(lo) === 1 && big[lo] !== 1) lo++;
  let hi = lo;
  while (hi < big.length && d(hi) === big[hi]) hi++;
  for (let i = hi; i < big.length; i++) if (d(i) !== 1) return null;
  for (let i = 0; i < lo; i++) if (d(i) !== 1) return null;
  const prod = (from: number, to: number) => {
    let p = 1;
    for (let i = from; i < to; i++) p *= big[i];
    return p;
  };
  return { outer: prod(0, lo), mid: prod(lo, hi), inner: prod(hi, big.length) };
}

export function binary(op: BinaryOp, a: Floats, aShape: Shape, b: Floats, bShape: Shape, outShape: Shape): Floats {
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = floatsLike(a, n);
  // Fast paths for the common layouts: equal shapes, a scalar operand, a trailing (bias-like) operand.
  if (a.length === n && b.length === n) {
    switch (op) {
      case 'add':
        for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
        return out;
      case 'sub':
        for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
        return out;
      case 'mul':
        for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
        return out;
      case 'div':
        for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
        return out;
    }
  }
  const f = FNS[op];
  // One operand full-size, the other broadcast along a contiguous block of dims (a bias [C], a
  // per-channel [C, 1] against [N, C, HW], a keepDim mean [N, 1]): three plain nested loops.
  const bb = a.length === n ? middleBlock(bShape, outShape) : null;
  if (bb) {
    const { outer, mid, inner } = bb;
    let o = 0;
    for (let i = 0; i < outer; i++)
      for (let m = 0; m < mid; m++) {
        const v = b[m];
        for (let k = 0; k < inner; k++, o++) out[o] = f(a[o], v);
      }
    return out;
  }
  const ab = b.length === n ? middleBlock(aShape, outShape) : null;
  if (ab) {
    const { outer, mid, inner } = ab;
    let o = 0;
    for (let i = 0; i < outer; i++)
      for (let m = 0; m < mid; m++) {
        const v = a[m];
        for (let k = 0; k < inner; k++, o++) out[o] = f(v, b[o]);
      }
    return out;
  }
  forEachBroadcast(outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape), (o, ia, ib) => {
    out[o] = f(a[ia], b[ib]);
  });
  return out;
}

export function broadcastTo(x: Floats, shape: Shape, outShape: Shape): Floats {
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = floatsLike(x, n);
  const zeros = outShape.map(() => 0);
  forEachBroadcast(outShape, broadcastStrides(shape, outShape), zeros, (o, ix) => {
    out[o] = x[ix];
  });
  return out;
}

/** Sum x of `shape` down to `to` (a shape x broadcasts from), accumulating in float64. */
export function sumTo(x: Floats, shape: Shape, to: Shape): Floats {
  const outSize = to.reduce((p, d) => p * d, 1);
  if (outSize === x.length) return floatsFrom(x, x);
  const acc = new Float64Array(outSize);
  if (outSize === 1) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    return floatsFrom(x, [s]);
  }
  const blk = middleBlock(to, shape);
  if (blk) {
    const { outer, mid, inner } = blk;
    let o = 0;
    for (let i = 0; i < outer; i++)
      for (let m = 0; m < mid; m++) {
        let sum = 0;
        for (let k = 0; k < inner; k++, o++) sum += x[o];
        acc[m] += sum;
      }
    return floatsFrom(x, acc);
  }
  const zeros = shape.map(() => 0);
  forEachBroadcast(shape, zeros, broadcastStrides(to, shape), (o, _z, it) => {
    acc[it] += x[o];
  });
  return floatsFrom(x, acc);
}
