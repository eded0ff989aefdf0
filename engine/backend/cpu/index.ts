/**
 * The CPU backend: storage is a plain typed array, every kernel a loop over it. Float tensors are Float32Arrays;
 * `new CpuBackend('float64')` is the same backend with Float64Arrays instead (the kernels are written once over
 * both, ./floats.ts): what the gradient check (engine/check/) evaluates the loss with for its finite differences.
 */
import type { AdamHyper, Backend, DType, FloatPrecision, HostData, SgdHyper, Storage } from '../backend';
import * as ew from './elementwise';
import * as mm from './matmul';
import * as conv from './conv';
import * as sm from './softmax';
import { floatsLike, type Floats } from './floats';
import type { WasmKernels } from '../wasm/wasmKernels';
import * as wasm from '../wasm/kernels';
import { summarize, type TensorSummary } from '../summary';

type Arr = Floats | Int32Array;
const f = (s: Storage) => s as unknown as Floats;
const i32 = (s: Storage) => s as unknown as Int32Array;
/** Float storage when the fast kernels are set (they are only ever set on the float32 backend). */
const f32 = (s: Storage) => s as unknown as Float32Array;
const st = (a: Arr) => a as unknown as Storage;

export class CpuBackend implements Backend {
  readonly name: string;
  private readonly Float: Float32ArrayConstructor | Float64ArrayConstructor;

  /** The WebAssembly kernels for float32 work, when installed (../wasm/install.ts); else the TypeScript ones. */
  fastKernels: WasmKernels | null = null;

  constructor(readonly floatPrecision: FloatPrecision = 'float32') {
    this.name = floatPrecision === 'float64' ? 'cpu-float64' : 'cpu';
    this.Float = floatPrecision === 'float64' ? Float64Array : Float32Array;
  }

  setFastKernels(k: WasmKernels | null): void {
    this.fastKernels = this.floatPrecision === 'float32' ? k : null;
  }

  /** Int32 data is kept as is; float data at this backend's precision (copied only when it is not already). */
  upload(data: HostData): Storage {
    if (data instanceof Int32Array || data instanceof this.Float) return st(data);
    return st(this.Float.from(data));
  }
  zeros(size: number, dtype: DType): Storage {
    return st(dtype === 'int32' ? new Int32Array(size) : new this.Float(size));
  }
  full(size: number, value: number): Storage {
    return st(new this.Float(size).fill(value));
  }
  read(s: Storage): Promise<Arr> {
    return Promise.resolve(s as unknown as Arr);
  }
  readSync(s: Storage): Arr {
    return s as unknown as Arr;
  }
  copy(s: Storage): Storage {
    return st((s as unknown as Arr).slice());
  }
  cast(s: Storage, to: DType): Storage {
    const a = s as unknown as Arr;
    return st(to === 'int32' ? Int32Array.from(a, Math.trunc) : this.Float.from(a));
  }

  // The fast kernels' wrappers return null (or false) where they do not apply: the TypeScript kernel runs.
  unary: Backend['unary'] = (op, x, _size, param) => st((this.fastKernels && wasm.unary(this.fastKernels, op, f32(x), param)) || ew.unary(op, f(x), param));
  unaryBackward: Backend['unaryBackward'] = (op, x, y, gy, _size, param) =>
    st((this.fastKernels && wasm.unaryBackward(this.fastKernels, op, f32(x), f32(gy), param)) || ew.unaryBackward(op, f(x), f(y), f(gy), param));
  binary: Backend['binary'] = (op, a, aShape, b, bShape, outShape) =>
    st(
      (this.fastKernels && wasm.binary(this.fastKernels, op, f32(a), aShape, f32(b), bShape, outShape)) || ew.binary(op, f(a), aShape, f(b), bShape, outShape),
    );
  axpby(a: Storage, alpha: number, b: Storage, beta: number, size: number): Storage {
    const fast = this.fastKernels && wasm.axpby(this.fastKernels, f32(a), alpha, f32(b), beta, size);
    if (fast) return st(fast);
    const x = f(a),
      y = f(b);
    const out = floatsLike(x, size);
    if (alpha === 1 && beta === 1) for (let i = 0; i < size; i++) out[i] = x[i] + y[i];
    else for (let i = 0; i < size; i++) out[i] = alpha * x[i] + beta * y[i];
    return st(out);
  }
  scale(x: Storage, alpha: number, size: number): Storage {
    const fast = this.fastKernels && wasm.scale(this.fastKernels, f32(x), alpha, size);
    if (fast) return st(fast);
    const a = f(x);
    const out = floatsLike(a, size);
    for (let i = 0; i < size; i++) out[i] = a[i] * alpha;
    return st(out);
  }
  sumTo: Backend['sumTo'] = (x, shape, to) => st((this.fastKernels && wasm.sumTo(this.fastKernels, f32(x), shape, to)) || ew.sumTo(f(x), shape, to));
  sum: Backend['sum'] = (x, shape, axes) =>
    this.sumTo(
      x,
      shape,
      shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    );
  broadcastTo: Backend['broadcastTo'] = (x, shape, outShape) => st(ew.broadcastTo(f(x), shape, outShape));
  sumSquares(x: Storage, size: number): Storage {
    const fast = this.fastKernels && wasm.sumSquares(this.fastKernels, f32(x), size);
    if (typeof fast === 'number') return st(this.Float.of(fast));
    const a = f(x);
    let s = 0;
    for (let i = 0; i < size; i++) s += a[i] * a[i];
    return st(this.Float.of(s));
  }

  matmul: Backend['matmul'] = (a, b, batch, m, n, k, tA, tB) =>
    st(this.fastKernels ? wasm.matmul(this.fastKernels, f32(a), f32(b), batch, m, n, k, tA, tB) : mm.matmul(f(a), f(b), batch, m, n, k, tA, tB));
  addRowVector(x: Storage, bias: Storage, rows: number, cols: number): Storage {
    if (this.fastKernels && wasm.addRowVector(this.fastKernels, f32(x), f32(bias), rows, cols)) return x;
    const a = f(x),
      b = f(bias);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) a[o + j] += b[j];
    }
    return x;
  }

  softmax: Backend['softmax'] = (x, outer, dim, inner, log) => st(sm.softmax(f(x), outer, dim, inner, log));
  softmaxBackward: Backend['softmaxBackward'] = (y, gy, outer, dim, inner, log) => st(sm.softmaxBackward(f(y), f(gy), outer, dim, inner, log));
  crossEntropy: Backend['crossEntropy'] = (logits, labels, n, c) => st(sm.crossEntropy(f(logits), i32(labels), n, c));
  crossEntropyBackward: Backend['crossEntropyBackward'] = (logits, labels, gy, n, c) => st(sm.crossEntropyBackward(f(logits), i32(labels), f(gy)[0], n, c));
  bceWithLogits: Backend['bceWithLogits'] = (x, t) => st(sm.bceWithLogits(f(x), f(t)));
  bceWithLogitsBackward: Backend['bceWithLogitsBackward'] = (x, t, gy) => {
    const [a, b] = sm.bceWithLogitsBackward(f(x), f(t), f(gy));
    return [st(a), st(b)];
  };

  conv2d: Backend['conv2d'] = (x, w, g, bias) =>
    st(this.fastKernels ? wasm.conv2d(this.fastKernels, f32(x), f32(w), g, bias ? f32(bias) : null) : conv.conv2d(f(x), f(w), g, bias ? f(bias) : null));
  conv2dBackwardInput: Backend['conv2dBackwardInput'] = (gy, w, g) =>
    st(this.fastKernels ? wasm.conv2dBackwardInput(this.fastKernels, f32(gy), f32(w), g) : conv.conv2dBackwardInput(f(gy), f(w), g));
  conv2dBackwardWeight: Backend['conv2dBackwardWeight'] = (gy, x, g) =>
    st(this.fastKernels ? wasm.conv2dBackwardWeight(this.fastKernels, f32(gy), f32(x), g) : conv.conv2dBackwardWeight(f(gy), f(x), g));
  maxPool2d: Backend['maxPool2d'] = (x, g) => {
    const { out, argmax } = this.fastKernels ? wasm.maxPool2d(this.fastKernels, f32(x), g) : conv.maxPool2d(f(x), g);
    return { out: st(out), argmax: st(argmax) };
  };
  maxPool2dBackward: Backend['maxPool2dBackward'] = (gy, argmax, g) =>
    st(this.fastKernels ? wasm.maxPool2dBackward(this.fastKernels, f32(gy), i32(argmax), g) : conv.maxPool2dBackward(f(gy), i32(argmax), g));
  avgPool2d: Backend['avgPool2d'] = (x, g) => st(this.fastKernels ? wasm.avgPool2d(this.fastKernels, f32(x), g) : conv.avgPool2d(f(x), g));
  avgPool2dBackward: Backend['avgPool2dBackward'] = (gy, g) =>
    st(this.fastKernels ? wasm.avgPool2dBackward(this.fastKernels, f32(gy), g) : conv.avgPool2dBackward(f(gy), g));

  concat(parts: readonly Storage[], outer: number, dims: readonly number[], inner: number): Storage {
    const total = dims.reduce((a, b) => a + b, 0);
    const first = parts[0] as unknown as Arr;
    const out = first instanceof Int32Array ? new Int32Array(outer * total * inner) : floatsLike(first, outer * total * inner);
    let off = 0;
    parts.forEach((p, idx) => {
      const a = p as unknown as Arr;
      const chunk = dims[idx] * inner;
      for (let o = 0; o < outer; o++) out.set(a.subarray(o * chunk, (o + 1) * chunk), o * total * inner + off);
      off += chunk;
    });
    return st(out);
  }
  slice(x: Storage, outer: number, dim: number, inner: number, start: number, len: number): Storage {
    const a = x as unknown as Arr;
    const out = a instanceof Int32Array ? new Int32Array(outer * len * inner) : floatsLike(a, outer * len * inner);
    for (let o = 0; o < outer; o++) out.set(a.subarray((o * dim + start) * inner, (o * dim + start + len) * inner), o * len * inner);
    return st(out);
  }

  gather(weight: Storage, indices: Storage, count: number, num: number, dim: number): Storage {
    const w = f(weight),
      idx = i32(indices);
    const out = floatsLike(w, count * dim);
    for (let r = 0; r < count; r++) {
      const k = idx[r];
      if (!(k >= 0 && k < num)) throw new RangeError(`Embedding: index ${k} at position ${r} is out of range for ${num} embeddings (0..${num - 1})`);
      out.set(w.subarray(k * dim, (k + 1) * dim), r * dim);
    }
    return st(out);
  }
  gatherBackward(gy: Storage, indices: Storage, count: number, num: number, dim: number): Storage {
    const g = f(gy),
      idx = i32(indices);
    const out = floatsLike(g, num * dim);
    for (let r = 0; r < count; r++) {
      const o = idx[r] * dim;
      for (let j = 0; j < dim; j++) out[o + j] += g[r * dim + j];
    }
    return st(out);
  }

  sgdStep(ps: Storage, gs: Storage, bufS: Storage | null, size: number, h: SgdHyper): void {
    if (this.fastKernels && wasm.sgdStep(this.fastKernels, f32(ps), f32(gs), bufS && f32(bufS), size, h)) return;
    const p = f(ps),
      g = f(gs),
      buf = bufS ? f(bufS) : null;
    // Hyperparameters in locals: property reads inside the loop cost as much as the update itself.
    const { lr, momentum, dampening, nesterov, first } = h;
    const wd = h.weightDecay;
    if (!buf && wd === 0) {
      for (let i = 0; i < size; i++) p[i] -= lr * g[i];
      return;
    }
    for (let i = 0; i < size; i++) {
      let d = g[i];
      if (wd !== 0) d += wd * p[i];
      if (buf) {
        buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
  }
  adamStep(ps: Storage, gs: Storage, ms: Storage, vs: Storage, size: number, h: AdamHyper): void {
    if (this.fastKernels && wasm.adamStep(this.fastKernels, f32(ps), f32(gs), f32(ms), f32(vs), size, h)) return;
    const p = f(ps),
      g = f(gs),
      m = f(ms),
      v = f(vs);
    const bc1 = 1 - Math.pow(h.beta1, h.step);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, h.step));
    const stepSize = h.lr / bc1;
    const decay = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
    for (let i = 0; i < size; i++) {
      let d = g[i];
      if (h.decoupled) p[i] *= decay;
      else if (h.weightDecay !== 0) d += h.weightDecay * p[i];
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * d;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * d * d;
      // PyTorch: denom = sqrt(v) / sqrt(bias_correction2) + eps; p -= (lr / bias_correction1) * m / denom
      p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + h.eps);
    }
  }

  /** Exactly the host summary (../summary.ts), over the storage itself: nothing to read back. */
  summaries(tensors: readonly { x: Storage; size: number }[], bins: number): Promise<TensorSummary[]> {
    return Promise.resolve(
      tensors.map(({ x, size }) => {
        const a = f(x);
        return summarize(a.length === size ? a : a.subarray(0, size), bins, this.fastKernels);
      }),
    );
  }

  allFinite(x: Storage, size: number): Promise<boolean> {
    const fast = this.fastKernels && wasm.allFinite(this.fastKernels, f32(x), size);
    if (typeof fast === 'boolean') return Promise.resolve(fast);
    const a = f(x);
    for (let i = 0; i < size; i++) if (!Number.isFinite(a[i])) return Promise.resolve(false);
    return Promise.resolve(true);
  }
}
