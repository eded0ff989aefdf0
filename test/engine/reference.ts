/**
 * Float64 reference implementations of the engine's ops, for the op-level tests.
 *
 * Written from PyTorch's documented formulas (torch.nn.functional), deliberately not from the engine's
 * code: plain loops over Float64Array, the obvious formulation wherever there is a choice (explicitly
 * zero- or −∞-padded inputs for conv and pooling, the textbook BCE formula via softplus, erf by its own
 * series), so that a shared misconception is unlikely. Nothing here is fast, and nothing needs to be.
 */

/** A dense row-major float64 array with a shape. */
export interface Arr {
  shape: number[];
  data: Float64Array;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

export function arr(data: ArrayLike<number>, shape: readonly number[]): Arr {
  if (data.length !== sizeOf(shape)) throw new Error(`reference: ${data.length} values for shape [${shape.join(', ')}]`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export function zeros(shape: readonly number[]): Arr {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)) };
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

function normDim(dim: number, rank: number): number {
  const d = dim < 0 ? dim + rank : dim;
  if (!(Number.isInteger(d) && d >= 0 && d < rank)) throw new Error(`reference: dim ${dim} out of range for rank ${rank}`);
  return d;
}

const pair = (v: number | readonly number[]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

// ───────────────────────────── special functions ─────────────────────────────

/**
 * erf in float64 by the everywhere-positive series
 *   erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1))   (Abramowitz & Stegun 7.1.6).
 * Every term has the sign of x, so there is no cancellation: the relative error stays at a few ulps for
 * |x| ≤ 6. Beyond 6, erfc(6) ≈ 2e−17 is below half an ulp of 1, so erf is ±1 in float64.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax; // n = 0
  let s = term;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    s += term;
    if (term < 1e-17 * s) break;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * s;
  return x < 0 ? -r : r;
}

/** Standard normal CDF Φ(x) = (1 + erf(x/√2)) / 2. */
export const normalCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

/** log(1 + eˣ) without overflow. */
export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoidScalar(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

// ───────────────────────────── elementwise ─────────────────────────────

export function map(x: Arr, f: (v: number) => number): Arr {
  return { shape: [...x.shape], data: x.data.map(f) };
}

export const neg = (x: Arr) => map(x, (v) => -v);
export const exp = (x: Arr) => map(x, Math.exp);
export const log = (x: Arr) => map(x, Math.log);
export const relu = (x: Arr) => map(x, (v) => Math.max(v, 0));
/** LeakyReLU(x) = max(0, x) + negative_slope · min(0, x). */
export const leakyRelu = (x: Arr, negativeSlope = 0.01) => map(x, (v) => Math.max(0, v) + negativeSlope * Math.min(0, v));
export const tanh = (x: Arr) => map(x, Math.tanh);
export const sigmoid = (x: Arr) => map(x, sigmoidScalar);
/** GELU(x) = x · Φ(x) (approximate='none'). */
export const gelu = (x: Arr) => map(x, (v) => v * normalCdf(v));
/** GELU(x) ≈ 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))) (approximate='tanh'). */
export const geluTanh = (x: Arr) => map(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
export const pow = (x: Arr, exponent: number) => map(x, (v) => Math.pow(v, exponent));
export const sqrt = (x: Arr) => map(x, Math.sqrt);
export const rsqrt = (x: Arr) => map(x, (v) => 1 / Math.sqrt(v));
export const square = (x: Arr) => map(x, (v) => v * v);
export const abs = (x: Arr) => map(x, Math.abs);
/** Softplus with beta 1: log(1 + eˣ) (PyTorch's threshold shortcut changes it by < 3e−9 relative). */
export const softplus = (x: Arr) => map(x, softplusScalar);

/** NumPy broadcasting: align on the right, each pair of dims equal or one of them 1. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`reference: [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat index into x (of a shape broadcastable to out's) for out's multi-index. */
function broadcastIndex(idx: readonly number[], shape: readonly number[]): number {
  const off = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : idx[d + off]);
  return flat;
}

export function binary(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const shape = broadcastShape(a.shape, b.shape);
  const out = zeros(shape);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unravel(o, shape);
    out.data[o] = f(a.data[broadcastIndex(idx, a.shape)], b.data[broadcastIndex(idx, b.shape)]);
  }
  return out;
}

export const add = (a: Arr, b: Arr) => binary(a, b, (x, y) => x + y);
export const sub = (a: Arr, b: Arr) => binary(a, b, (x, y) => x - y);
export const mul = (a: Arr, b: Arr) => binary(a, b, (x, y) => x * y);
export const div = (a: Arr, b: Arr) => binary(a, b, (x, y) => x / y);

// ───────────────────────────── linear algebra ─────────────────────────────

/** torch.matmul for two 2-D matrices or two 3-D stacks with the same batch. */
export function matmul(a: Arr, b: Arr): Arr {
  const batched = a.shape.length === 3;
  const batch = batched ? a.shape[0] : 1;
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2 || a.shape.length !== b.shape.length || (batched && b.shape[0] !== batch)) throw new Error('reference matmul: bad shapes');
  const out = zeros(batched ? [batch, m, n] : [m, n]);
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[bi * m * k + i * k + p] * b.data[bi * k * n + p * n + j];
        out.data[bi * m * n + i * n + j] = s;
      }
  return out;
}

/** Swap the last two dims (a matrix or a stack of matrices). */
export function transposeLast2(a: Arr): Arr {
  const r = a.shape.length;
  const [m, n] = a.shape.slice(-2);
  const batch = a.data.length / (m * n);
  const out = zeros([...a.shape.slice(0, r - 2), n, m]);
  for (let b = 0; b < batch; b++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[b * m * n + j * m + i] = a.data[b * m * n + i * n + j];
  return out;
}

/** F.linear: y[..., o] = Σᵢ x[..., i] · W[o, i] + b[o]. */
export function linear(x: Arr, w: Arr, b: Arr | null): Arr {
  const inF = x.shape[x.shape.length - 1];
  const [outF, wIn] = w.shape;
  if (wIn !== inF) throw new Error('reference linear: bad shapes');
  const rows = x.data.length / inF;
  const out = zeros([...x.shape.slice(0, -1), outF]);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let s = b ? b.data[o] : 0;
      for (let i = 0; i < inF; i++) s += x.data[r * inF + i] * w.data[o * inF + i];
      out.data[r * outF + o] = s;
    }
  return out;
}

// ───────────────────────────── reductions and shapes ─────────────────────────────

/** torch.sum(x, dims, keepdim); dims left out sums everything to a scalar. */
export function sum(x: Arr, dims?: readonly number[], keepDim = false): Arr {
  const rank = x.shape.length;
  const axes = new Set((dims ?? x.shape.map((_, i) => i)).map((d) => normDim(d, rank)));
  const keptShape = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const out = zeros(keptShape);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (axes.has(d) ? 0 : v));
    let flat = 0;
    for (let d = 0; d < rank; d++) flat = flat * keptShape[d] + idx[d];
    out.data[flat] += x.data[i];
  }
  out.shape = keepDim ? keptShape : x.shape.filter((_, i) => !axes.has(i));
  return out;
}

export function mean(x: Arr, dims?: readonly number[], keepDim = false): Arr {
  const s = sum(x, dims, keepDim);
  const count = x.data.length / s.data.length;
  return map(s, (v) => v / count);
}

/** Same values in a new shape; one −1 is inferred. */
export function reshape(x: Arr, shape: readonly number[]): Arr {
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const resolved = shape.map((d) => (d === -1 ? x.data.length / known : d));
  if (sizeOf(resolved) !== x.data.length) throw new Error('reference reshape: size mismatch');
  return { shape: resolved, data: x.data.slice() };
}

/** nn.Flatten(): [N, everything else]. */
export const flatten = (x: Arr) => reshape(x, [x.shape[0], -1]);

/** torch.cat along dim. */
export function concat(xs: readonly Arr[], dim = -1): Arr {
  const rank = xs[0].shape.length;
  const d = normDim(dim, rank);
  const total = xs.reduce((s, x) => s + x.shape[d], 0);
  const shape = xs[0].shape.map((v, i) => (i === d ? total : v));
  const out = zeros(shape);
  let offset = 0;
  for (const x of xs) {
    for (let i = 0; i < x.data.length; i++) {
      const idx = unravel(i, x.shape);
      idx[d] += offset;
      let flat = 0;
      for (let j = 0; j < rank; j++) flat = flat * shape[j] + idx[j];
      out.data[flat] = x.data[i];
    }
    offset += x.shape[d];
  }
  return out;
}

/** Calls f with the flat indices of each 1-D line of x along dim. */
function forEachLine(shape: readonly number[], dim: number, f: (indices: number[]) => void): void {
  const d = normDim(dim, shape.length);
  const st = stridesOf(shape);
  const n = sizeOf(shape);
  for (let i = 0; i < n; i++) {
    if (unravel(i, shape)[d] !== 0) continue;
    f(Array.from({ length: shape[d] }, (_, j) => i + j * st[d]));
  }
}

/** softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along dim (computed as exp(xᵢ − m) / Σ exp(xⱼ − m), m the max). */
export function softmax(x: Arr, dim = -1): Arr {
  const out = zeros(x.shape);
  forEachLine(x.shape, dim, (ix) => {
    const m = Math.max(...ix.map((i) => x.data[i]));
    const z = ix.reduce((s, i) => s + Math.exp(x.data[i] - m), 0);
    for (const i of ix) out.data[i] = Math.exp(x.data[i] - m) / z;
  });
  return out;
}

/** log_softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ). */
export function logSoftmax(x: Arr, dim = -1): Arr {
  const out = zeros(x.shape);
  forEachLine(x.shape, dim, (ix) => {
    const m = Math.max(...ix.map((i) => x.data[i]));
    const lse = m + Math.log(ix.reduce((s, i) => s + Math.exp(x.data[i] - m), 0));
    for (const i of ix) out.data[i] = x.data[i] - lse;
  });
  return out;
}

// ───────────────────────────── convolution and pooling ─────────────────────────────

/** x [N, C, H, W] padded by (ph, pw) on every side with `value`. */
export function pad2d(x: Arr, ph: number, pw: number, value: number): Arr {
  const [n, c, h, w] = x.shape;
  const H = h + 2 * ph,
    W = w + 2 * pw;
  const out = { shape: [n, c, H, W], data: new Float64Array(n * c * H * W).fill(value) };
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) out.data[(p * H + y + ph) * W + xx + pw] = x.data[(p * h + y) * w + xx];
  return out;
}

/** Output size floor((in + 2·pad − kernel) / stride) + 1 (PyTorch, dilation 1, ceil_mode off). */
export const outSize = (size: number, kernel: number, stride: number, pad: number) => Math.floor((size + 2 * pad - kernel) / stride) + 1;

/** F.conv2d: out[n, o, y, x] = b[o] + Σ_{c, i, j} w[o, c, i, j] · xpad[n, c, y·sh + i, x·sw + j]. */
export function conv2d(x: Arr, w: Arr, b: Arr | null, stride: number | readonly number[] = 1, padding: number | readonly number[] = 0): Arr {
  const [sh, sw] = pair(stride),
    [ph, pw] = pair(padding);
  const [n, c, h, wd] = x.shape;
  const [oc, ic, kh, kw] = w.shape;
  if (ic !== c) throw new Error('reference conv2d: channel mismatch');
  const xp = pad2d(x, ph, pw, 0);
  const H = h + 2 * ph,
    W = wd + 2 * pw;
  const oh = outSize(h, kh, sh, ph),
    ow = outSize(wd, kw, sw, pw);
  const out = zeros([n, oc, oh, ow]);
  for (let ni = 0; ni < n; ni++)
    for (let o = 0; o < oc; o++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let s = b ? b.data[o] : 0;
          for (let ci = 0; ci < c; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) s += w.data[((o * c + ci) * kh + i) * kw + j] * xp.data[((ni * c + ci) * H + y * sh + i) * W + xx * sw + j];
          out.data[((ni * oc + o) * oh + y) * ow + xx] = s;
        }
  return out;
}

/**
 * The exact gradients of L = Σ gy · conv2d(x, w, b) (conv2d is linear in x and in w): the forward sum
 * above read backwards, each product w·xpad scattering gy·w into xpad and gy·xpad into w. For sizes
 * too big for finite differences.
 */
export function conv2dAdjoint(
  x: Arr,
  w: Arr,
  gy: Arr,
  stride: number | readonly number[] = 1,
  padding: number | readonly number[] = 0,
): { dx: Arr; dw: Arr; db: Arr } {
  const [sh, sw] = pair(stride),
    [ph, pw] = pair(padding);
  const [n, c, h, wd] = x.shape;
  const [oc, , kh, kw] = w.shape;
  const xp = pad2d(x, ph, pw, 0);
  const H = h + 2 * ph,
    W = wd + 2 * pw;
  const [, , oh, ow] = gy.shape;
  const dxp = zeros(xp.shape),
    dw = zeros(w.shape),
    db = zeros([oc]);
  for (let ni = 0; ni < n; ni++)
    for (let o = 0; o < oc; o++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          const g = gy.data[((ni * oc + o) * oh + y) * ow + xx];
          db.data[o] += g;
          for (let ci = 0; ci < c; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const wi = ((o * c + ci) * kh + i) * kw + j;
                const xi = ((ni * c + ci) * H + y * sh + i) * W + xx * sw + j;
                dxp.data[xi] += g * w.data[wi];
                dw.data[wi] += g * xp.data[xi];
              }
        }
  // Cut the padding off dx.
  const dx = zeros(x.shape);
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < h; y++) for (let xx = 0; xx < wd; xx++) dx.data[(p * h + y) * wd + xx] = dxp.data[(p * H + y + ph) * W + xx + pw];
  return { dx, dw, db };
}

function pool(
  x: Arr,
  kernel: number | readonly number[],
  stride: number | readonly number[] | undefined,
  padding: number | readonly number[],
  padValue: number,
  reduce: (window: number[]) => number,
): Arr {
  const [kh, kw] = pair(kernel),
    [sh, sw] = pair(stride ?? kernel),
    [ph, pw] = pair(padding);
  const [n, c, h, w] = x.shape;
  const xp = pad2d(x, ph, pw, padValue);
  const H = h + 2 * ph,
    W = w + 2 * pw;
  const oh = outSize(h, kh, sh, ph),
    ow = outSize(w, kw, sw, pw);
  const out = zeros([n, c, oh, ow]);
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        const window: number[] = [];
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) window.push(xp.data[(p * H + y * sh + i) * W + xx * sw + j]);
        out.data[(p * oh + y) * ow + xx] = reduce(window);
      }
  return out;
}

/** F.max_pool2d: the max over each window of the input padded with −∞ (padding never wins). */
export const maxPool2d = (x: Arr, kernel: number | readonly number[], stride?: number | readonly number[], padding: number | readonly number[] = 0) =>
  pool(x, kernel, stride, padding, -Infinity, (win) => Math.max(...win));

/** F.avg_pool2d with count_include_pad=True: the mean of the kh·kw window of the zero-padded input. */
export const avgPool2d = (x: Arr, kernel: number | readonly number[], stride?: number | readonly number[], padding: number | readonly number[] = 0) =>
  pool(x, kernel, stride, padding, 0, (win) => win.reduce((s, v) => s + v, 0) / win.length);

// ───────────────────────────── normalisation, embedding ─────────────────────────────

export interface BatchNormTrainResult {
  y: Arr;
  /** Per-channel batch mean. */
  mean: number[];
  /** Biased (÷N) batch variance, used to normalise. */
  varBiased: number[];
  /** Unbiased (÷(N−1)) batch variance, used for the running estimate. */
  varUnbiased: number[];
}

/** BatchNorm1d in training mode on x [N, C]: y = (x − mean) / √(var_biased + eps) · γ + β. */
export function batchNorm1dTrain(x: Arr, weight: Arr | null, bias: Arr | null, eps = 1e-5): BatchNormTrainResult {
  const [n, c] = x.shape;
  const mu: number[] = [],
    vb: number[] = [],
    vu: number[] = [];
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x.data[i * c + j];
    const m = s / n;
    let q = 0;
    for (let i = 0; i < n; i++) q += (x.data[i * c + j] - m) ** 2;
    mu.push(m);
    vb.push(q / n);
    vu.push(q / (n - 1));
  }
  const y = batchNorm1dEval(x, mu, vb, weight, bias, eps);
  return { y, mean: mu, varBiased: vb, varUnbiased: vu };
}

/** BatchNorm1d in eval mode: y = (x − running_mean) / √(running_var + eps) · γ + β. */
export function batchNorm1dEval(x: Arr, runningMean: ArrayLike<number>, runningVar: ArrayLike<number>, weight: Arr | null, bias: Arr | null, eps = 1e-5): Arr {
  const [n, c] = x.shape;
  const y = zeros(x.shape);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < c; j++) {
      const v = (x.data[i * c + j] - runningMean[j]) / Math.sqrt(runningVar[j] + eps);
      y.data[i * c + j] = v * (weight ? weight.data[j] : 1) + (bias ? bias.data[j] : 0);
    }
  return y;
}

/** LayerNorm over the last dim: (x − E[x]) / √(Var[x] + eps) · γ + β, Var biased. */
export function layerNorm(x: Arr, weight: Arr | null, bias: Arr | null, eps = 1e-5): Arr {
  const d = x.shape[x.shape.length - 1];
  const rows = x.data.length / d;
  const y = zeros(x.shape);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.data.subarray(r * d, (r + 1) * d));
    const m = row.reduce((s, v) => s + v, 0) / d;
    const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / d;
    for (let j = 0; j < d; j++) y.data[r * d + j] = ((row[j] - m) / Math.sqrt(v + eps)) * (weight ? weight.data[j] : 1) + (bias ? bias.data[j] : 0);
  }
  return y;
}

/** F.embedding: out[..., :] = weight[index, :]. */
export function embedding(indices: ArrayLike<number>, indexShape: readonly number[], weight: Arr): Arr {
  const [num, dim] = weight.shape;
  const out = zeros([...indexShape, dim]);
  for (let r = 0; r < indices.length; r++) {
    const k = indices[r];
    if (!(Number.isInteger(k) && k >= 0 && k < num)) throw new Error(`reference embedding: index ${k} out of range`);
    for (let j = 0; j < dim; j++) out.data[r * dim + j] = weight.data[k * dim + j];
  }
  return out;
}

// ───────────────────────────── losses (reduction='mean') ─────────────────────────────

const scalarArr = (v: number): Arr => ({ shape: [], data: Float64Array.of(v) });

/** F.mse_loss: mean((p − t)²). */
export function mseLoss(p: Arr, t: Arr): Arr {
  let s = 0;
  for (let i = 0; i < p.data.length; i++) s += (p.data[i] - t.data[i]) ** 2;
  return scalarArr(s / p.data.length);
}

/** F.cross_entropy on logits [N, C] and class indices [N]: mean over n of −log_softmax(logits[n])[label[n]]. */
export function crossEntropyLoss(logits: Arr, labels: ArrayLike<number>): Arr {
  const [n, c] = logits.shape;
  const ls = logSoftmax(logits, 1);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    if (!(Number.isInteger(k) && k >= 0 && k < c)) throw new Error(`reference cross entropy: label ${k} out of range`);
    s -= ls.data[i * c + k];
  }
  return scalarArr(s / n);
}

/**
 * F.binary_cross_entropy_with_logits: mean of −[t·log σ(x) + (1 − t)·log(1 − σ(x))], with
 * log σ(x) = −softplus(−x) and log(1 − σ(x)) = −softplus(x), so it is t·softplus(−x) + (1 − t)·softplus(x).
 */
export function bceWithLogitsLoss(x: Arr, t: Arr): Arr {
  let s = 0;
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i],
      y = t.data[i];
    s += y * softplusScalar(-v) + (1 - y) * softplusScalar(v);
  }
  return scalarArr(s / x.data.length);
}
