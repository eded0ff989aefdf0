/**
 * The standalone target's kernels, as TypeScript source text: plain loops over Float32Arrays that
 * compute what the engine's CPU kernels compute, rounding to float32 where the engine stores a float32
 * intermediate. An exported module carries only the kernels its forward pass calls (and what those
 * call); they are emitted in the fixed order of this table, so the text is deterministic.
 */

interface Kernel {
  deps: readonly string[];
  source: string;
}

function unary(name: string, doc: string, expr: string, param?: string): Kernel {
  const sig = param ? `x: Float32Array, ${param}: number` : 'x: Float32Array';
  return {
    deps: [],
    source: `/** ${doc} */
function ${name}(${sig}): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = ${expr};
  }
  return y;
}`,
  };
}

function binary(name: string, sym: string): Kernel {
  return {
    deps: ['broadcastIndex'],
    source: `/** a ${sym} b elementwise, broadcasting as NumPy; each shape is given, the result has \`shape\`. */
function ${name}(a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], shape: readonly number[]): Float32Array {
  const n = shape.reduce((s, d) => s * d, 1);
  const y = new Float32Array(n);
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) y[i] = a[i] ${sym} b[i];
  } else {
    const ia = broadcastIndex(aShape, shape);
    const ib = broadcastIndex(bShape, shape);
    for (let i = 0; i < n; i++) y[i] = a[ia[i]] ${sym} b[ib[i]];
  }
  return y;
}`,
  };
}

/** Every kernel, in emission order. */
const KERNELS = {
  floatInput: {
    deps: [],
    source: `/** A float32 input, checked for its number of values (an Int32Array is converted). */
function floatInput(inputs: Record<string, Float32Array | Int32Array>, id: string, size: number, shape: string): Float32Array {
  const v = Object.prototype.hasOwnProperty.call(inputs, id) ? inputs[id] : undefined;
  if (v === undefined) throw new TypeError(\`predict: input "\${id}" is missing (float32 \${shape})\`);
  if (v.length !== size) throw new RangeError(\`predict: input "\${id}" has \${v.length} values, but \${shape} needs \${size}\`);
  return v instanceof Float32Array ? v : Float32Array.from(v);
}`,
  },
  intInput: {
    deps: [],
    source: `/** An int32 input (indices), checked for its number of values; a Float32Array must hold integers. */
function intInput(inputs: Record<string, Float32Array | Int32Array>, id: string, size: number, shape: string): Int32Array {
  const v = Object.prototype.hasOwnProperty.call(inputs, id) ? inputs[id] : undefined;
  if (v === undefined) throw new TypeError(\`predict: input "\${id}" is missing (int32 \${shape})\`);
  if (v.length !== size) throw new RangeError(\`predict: input "\${id}" has \${v.length} values, but \${shape} needs \${size}\`);
  if (v instanceof Int32Array) return v;
  const out = Int32Array.from(v);
  for (let i = 0; i < v.length; i++) {
    if (out[i] !== v[i]) throw new RangeError(\`predict: input "\${id}" holds int32 indices, but value \${i} is \${v[i]}\`);
  }
  return out;
}`,
  },
  linear: {
    deps: [],
    source: `/** y = x·Wᵀ + b over the last dimension: x [rows, inF], weight [outF, inF], bias [outF]. */
function linear(x: Float32Array, rows: number, inF: number, weight: Float32Array, bias: Float32Array | null, outF: number): Float32Array {
  const y = new Float32Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    const xo = r * inF;
    for (let o = 0; o < outF; o++) {
      const wo = o * inF;
      let s = 0;
      for (let i = 0; i < inF; i++) s += x[xo + i] * weight[wo + i];
      y[r * outF + o] = bias === null ? s : Math.fround(s) + bias[o];
    }
  }
  return y;
}`,
  },
  Geometry: {
    deps: [],
    source: `/** A convolution or pooling window over NCHW data: input n×c×h×w, kernel kh×kw, stride, padding, output oh×ow. */
interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  outC: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}`,
  },
  conv2d: {
    deps: ['Geometry'],
    source: `/** 2-D convolution (cross-correlation, as PyTorch): x [n, c, h, w], weight [outC, c, kh, kw], bias [outC]. */
function conv2d(x: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Geometry): Float32Array {
  const { n, c, h, w, outC, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const y = new Float32Array(n * outC * oh * ow);
  let at = 0;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outC; o++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ci = 0; ci < c; ci++) {
            const xBase = (b * c + ci) * h;
            const wBase = (o * c + ci) * kh;
            for (let ki = 0; ki < kh; ki++) {
              const iy = oy * sh - ph + ki;
              if (iy < 0 || iy >= h) continue;
              for (let kj = 0; kj < kw; kj++) {
                const ix = ox * sw - pw + kj;
                if (ix >= 0 && ix < w) s += x[(xBase + iy) * w + ix] * weight[(wBase + ki) * kw + kj];
              }
            }
          }
          y[at++] = bias === null ? s : Math.fround(s) + bias[o];
        }
      }
    }
  }
  return y;
}`,
  },
  maxPool2d: {
    deps: ['Geometry'],
    source: `/** Maximum over each window (padding never wins; NaN propagates, as PyTorch). */
function maxPool2d(x: Float32Array, g: Geometry): Float32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const y = new Float32Array(n * c * oh * ow);
  let at = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity;
        let found = false;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj;
            if (ix < 0 || ix >= w) continue;
            const v = x[base + iy * w + ix];
            if (!found || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
              best = v;
              found = true;
            }
          }
        }
        y[at++] = best;
      }
    }
  }
  return y;
}`,
  },
  avgPool2d: {
    deps: ['Geometry'],
    source: `/** Mean over each window; the divisor counts padded cells (PyTorch's count_include_pad). */
function avgPool2d(x: Float32Array, g: Geometry): Float32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const y = new Float32Array(n * c * oh * ow);
  let at = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * sh - ph;
        const x0 = ox * sw - pw;
        const y1 = Math.min(y0 + kh, h + ph);
        const x1 = Math.min(x0 + kw, w + pw);
        let s = 0;
        for (let iy = Math.max(y0, 0); iy < Math.min(y1, h); iy++) {
          for (let ix = Math.max(x0, 0); ix < Math.min(x1, w); ix++) s += x[base + iy * w + ix];
        }
        y[at++] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return y;
}`,
  },
  relu: unary('relu', 'max(0, x); NaN stays NaN.', 'v > 0 || v !== v ? v : 0'),
  leakyRelu: unary('leakyRelu', 'x for x > 0, negativeSlope·x otherwise.', 'v > 0 ? v : v * negativeSlope', 'negativeSlope'),
  tanh: unary('tanh', 'Hyperbolic tangent.', 'Math.tanh(v)'),
  sigmoid: unary('sigmoid', '1 / (1 + e^−x), in the form that cannot overflow.', 'v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))'),
  erf: {
    deps: [],
    source: `/** erf(x) in float64: Maclaurin series near 0, a continued fraction for erfc in the tails. */
function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1.1283791670955126 * sum;
  }
  let r = 0;
  if (ax <= 27) {
    // Lentz's method for erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
    const tiny = 1e-300;
    let f = ax;
    let c = ax;
    let d = 0;
    for (let i = 1; i < 200; i++) {
      const a = i / 2;
      d = ax + a * d;
      d = d === 0 ? tiny : d;
      c = ax + a / c;
      c = c === 0 ? tiny : c;
      d = 1 / d;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = (Math.exp(-ax * ax) * 0.5641895835477563) / f;
  }
  return x > 0 ? 1 - r : r - 1;
}`,
  },
  gelu: { ...unary('gelu', 'x·Φ(x), the exact (erf) form.', 'v * (0.5 * (1 + erf(v * 0.7071067811865476)))'), deps: ['erf'] },
  geluTanh: unary('geluTanh', "GELU's tanh approximation.", '0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))'),
  exp: unary('exp', 'e^x.', 'Math.exp(v)'),
  log: unary('log', 'Natural logarithm.', 'Math.log(v)'),
  neg: unary('neg', '−x.', '-v'),
  pow: unary('pow', 'x^exponent.', 'Math.pow(v, exponent)', 'exponent'),
  broadcastIndex: {
    deps: [],
    source: `/** For each element of a broadcast result of shape \`out\`, the index of the element of \`shape\` it reads. */
function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + rank - shape.length] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i];
  }
  const total = out.reduce((s, d) => s * d, 1);
  const index = new Int32Array(total);
  const at = new Array<number>(rank).fill(0);
  let k = 0;
  for (let i = 0; i < total; i++) {
    index[i] = k;
    for (let d = rank - 1; d >= 0; d--) {
      at[d]++;
      k += strides[d];
      if (at[d] < out[d]) break;
      k -= strides[d] * at[d];
      at[d] = 0;
    }
  }
  return index;
}`,
  },
  add: binary('add', '+'),
  sub: binary('sub', '-'),
  mul: binary('mul', '*'),
  div: binary('div', '/'),
  reduce: {
    deps: [],
    source: `/** Sum over \`axes\` of x (of \`shape\`), in float64, rounded to float32, times \`scale\` (1 / count for a mean). */
function reduce(x: Float32Array, shape: readonly number[], axes: readonly number[], scale: number): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  let size = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (axes.includes(d)) continue;
    strides[d] = size;
    size *= shape[d];
  }
  const sums = new Float64Array(size);
  const at = new Array<number>(rank).fill(0);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    sums[k] += x[i];
    for (let d = rank - 1; d >= 0; d--) {
      at[d]++;
      k += strides[d];
      if (at[d] < shape[d]) break;
      k -= strides[d] * at[d];
      at[d] = 0;
    }
  }
  const y = new Float32Array(size);
  for (let i = 0; i < size; i++) y[i] = Math.fround(sums[i]) * scale;
  return y;
}`,
  },
  softmax: {
    deps: [],
    source: `/** Softmax (or log-softmax) of x viewed as [outer, n, inner], along the middle dimension, max-shifted. */
function softmax(x: Float32Array, outer: number, n: number, inner: number, log: boolean): Float32Array {
  const y = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let d = 0; d < n; d++) max = Math.max(max, x[base + d * inner]);
      let sum = 0;
      for (let d = 0; d < n; d++) sum += Math.exp(x[base + d * inner] - max);
      const lse = max + Math.log(sum);
      for (let d = 0; d < n; d++) {
        const v = x[base + d * inner];
        y[base + d * inner] = log ? v - lse : Math.exp(v - max) / sum;
      }
    }
  }
  return y;
}`,
  },
  batchNorm1d: {
    deps: [],
    source: `/** BatchNorm1d in eval mode: (x − running_mean) / √(running_var + eps), then weight and bias; x [rows, c]. */
function batchNorm1d(x: Float32Array, rows: number, c: number, mean: Float32Array, variance: Float32Array, weight: Float32Array | null, bias: Float32Array | null, eps: number): Float32Array {
  const y = new Float32Array(rows * c);
  const e = Math.fround(eps);
  for (let j = 0; j < c; j++) {
    const r = Math.fround(1 / Math.sqrt(Math.fround(variance[j] + e)));
    for (let i = 0; i < rows; i++) {
      let v = Math.fround(Math.fround(x[i * c + j] - mean[j]) * r);
      if (weight !== null) v = Math.fround(v * weight[j]);
      if (bias !== null) v += bias[j];
      y[i * c + j] = v;
    }
  }
  return y;
}`,
  },
  layerNorm: {
    deps: [],
    source: `/** LayerNorm over the last dimension: x [rows, n], biased variance, then weight and bias. */
function layerNorm(x: Float32Array, rows: number, n: number, weight: Float32Array | null, bias: Float32Array | null, eps: number): Float32Array {
  const y = new Float32Array(rows * n);
  const centred = new Float32Array(n);
  const e = Math.fround(eps);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += x[o + j];
    const mu = Math.fround(Math.fround(s) * (1 / n));
    let q = 0;
    for (let j = 0; j < n; j++) {
      const c = Math.fround(x[o + j] - mu);
      centred[j] = c;
      q += Math.fround(c * c);
    }
    const rs = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(Math.fround(q) * (1 / n)) + e)));
    for (let j = 0; j < n; j++) {
      let v = Math.fround(centred[j] * rs);
      if (weight !== null) v = Math.fround(v * weight[j]);
      if (bias !== null) v += bias[j];
      y[o + j] = v;
    }
  }
  return y;
}`,
  },
  embedding: {
    deps: [],
    source: `/** Rows of weight [num, dim] picked by int32 indices. */
function embedding(indices: Int32Array, weight: Float32Array, num: number, dim: number): Float32Array {
  const y = new Float32Array(indices.length * dim);
  for (let r = 0; r < indices.length; r++) {
    const k = indices[r];
    if (!(k >= 0 && k < num)) throw new RangeError(\`Embedding: index \${k} at position \${r} is out of range for \${num} embeddings (0..\${num - 1})\`);
    y.set(weight.subarray(k * dim, (k + 1) * dim), r * dim);
  }
  return y;
}`,
  },
  concat: {
    deps: [],
    source: `/** Joins parts viewed as [outer, part size / outer] along their second dimension, into out. */
function concat<T extends Float32Array | Int32Array>(out: T, parts: readonly T[], outer: number): T {
  const total = out.length / outer;
  let offset = 0;
  for (const part of parts) {
    const chunk = part.length / outer;
    for (let o = 0; o < outer; o++) out.set(part.subarray(o * chunk, (o + 1) * chunk), o * total + offset);
    offset += chunk;
  }
  return out;
}`,
  },
} satisfies Record<string, Kernel>;

/** A kernel an op's standalone lowering may call (OpSpec.lower.standalone): a name missing here is a compile error. */
export type KernelName = keyof typeof KERNELS;

/** Every kernel's name: the names an exported module reserves for its module-level functions. */
export const KERNEL_NAMES: readonly string[] = Object.keys(KERNELS);

/** Source text of the named kernels and their dependencies, in the table's order. */
export function kernelSources(used: Iterable<string>): string[] {
  const need = new Set<string>();
  const visit = (name: string) => {
    const k = (KERNELS as Record<string, Kernel>)[name];
    if (!k) throw new Error(`internal: no kernel ${name}`);
    if (need.has(name)) return;
    need.add(name);
    k.deps.forEach(visit);
  };
  for (const name of used) visit(name);
  return KERNEL_NAMES.filter((n) => need.has(n)).map((n) => (KERNELS as Record<string, Kernel>)[n].source);
}
