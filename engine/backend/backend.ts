/**
 * The backend seam. Every op's autograd logic lives in engine/ops and calls only these kernels, so a
 * WebGPU backend can replace the CPU one without touching any forward or backward rule.
 * A backend owns its storage (typed arrays on the CPU, buffers on a GPU); reading back is async.
 */
import type { Shape } from '../shape';
import type { TensorSummary } from './summary';

/**
 * A tensor's element type as the graph sees it: float values or int32 indices. How a backend stores the float
 * type is its `floatPrecision`: float32 on every backend that trains; float64 on the CPU backend's variant that
 * the gradient check (engine/check/) evaluates the loss with, running the very same ops and model.
 */
export type DType = 'float32' | 'int32';

/** How a backend stores float tensors. */
export type FloatPrecision = 'float32' | 'float64';

/** Values on the host: what upload takes and read gives back (Float64Array only from a float64 backend). */
export type HostData = Float32Array | Float64Array | Int32Array;

/** Opaque handle to a backend's memory for one tensor. */
export interface Storage {
  readonly __storage?: never;
}

export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'relu'
  | 'tanh'
  | 'sigmoid'
  | 'gelu'
  | 'geluTanh'
  | 'leakyRelu'
  | 'pow'
  | 'abs'
  | 'sqrt'
  | 'rsqrt'
  | 'square'
  | 'reciprocal'
  | 'softplus';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

export interface Conv2dGeometry {
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
}

export interface SgdHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  dampening: number;
  /** First step for this parameter: the momentum buffer starts as the gradient. */
  first: boolean;
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding weightDecay·p to the gradient. */
  decoupled: boolean;
  /** 1-based step count, for bias correction. */
  step: number;
}

export interface Backend {
  readonly name: string;
  readonly floatPrecision: FloatPrecision;
  /** Float data is stored at floatPrecision (converted when it comes at another). */
  upload(data: HostData): Storage;
  zeros(size: number, dtype: DType): Storage;
  full(size: number, value: number): Storage;
  read(s: Storage): Promise<HostData>;
  /** Synchronous read, only where the memory is host-visible (the CPU backend); null otherwise. */
  readSync(s: Storage): HostData | null;
  copy(s: Storage): Storage;
  cast(s: Storage, to: DType): Storage;

  /** y = f(x, param) elementwise. */
  unary(op: UnaryOp, x: Storage, size: number, param?: number): Storage;
  /** dx = f'(x) * gy, elementwise; y is f(x), reused where the derivative is cheaper from it. */
  unaryBackward(op: UnaryOp, x: Storage, y: Storage, gy: Storage, size: number, param?: number): Storage;
  /** out = a ∘ b with NumPy broadcasting. */
  binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, outShape: Shape): Storage;
  /** a * alpha + b * beta elementwise for same-size inputs (the optimizers' and accumulators' axpy). */
  axpby(a: Storage, alpha: number, b: Storage, beta: number, size: number): Storage;
  /** x * alpha elementwise. */
  scale(x: Storage, alpha: number, size: number): Storage;
  /** Sum x over the axes where `to` is 1 (or missing on the left): the reverse of broadcasting. */
  sumTo(x: Storage, shape: Shape, to: Shape): Storage;
  /** Sum over axes, keeping them as 1. */
  sum(x: Storage, shape: Shape, axes: readonly number[]): Storage;
  /** Expand x of `shape` (broadcastable) to outShape. */
  broadcastTo(x: Storage, shape: Shape, outShape: Shape): Storage;
  /** Sum of all elements of x squared, as a one-element storage (for norms without a readback per op). */
  sumSquares(x: Storage, size: number): Storage;

  /** C[b] = op(A[b]) @ op(B[b]) for b in 0..batch-1; op transposes when trans is set. A: [M,K] (or [K,M]). */
  matmul(a: Storage, b: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean): Storage;
  /** Adds bias[j] to every row of x [rows, cols], in place (x is a kernel's fresh output); returns x. */
  addRowVector(x: Storage, bias: Storage, rows: number, cols: number): Storage;

  /** Softmax (or log-softmax) along the middle axis of x viewed as [outer, dim, inner]. */
  softmax(x: Storage, outer: number, dim: number, inner: number, log: boolean): Storage;
  softmaxBackward(y: Storage, gy: Storage, outer: number, dim: number, inner: number, log: boolean): Storage;

  /** Per-sample cross entropy of logits [n, c] against int32 labels [n]; returns per-sample losses. */
  crossEntropy(logits: Storage, labels: Storage, n: number, c: number): Storage;
  /** d(mean loss)/d logits scaled by gy[0]/n. */
  crossEntropyBackward(logits: Storage, labels: Storage, gy: Storage, n: number, c: number): Storage;
  /** Elementwise stable max(x,0) - x*t + log(1 + exp(-|x|)). */
  bceWithLogits(x: Storage, t: Storage, size: number): Storage;
  /** (sigmoid(x) - t) * gy elementwise, and -x * gy for the target. */
  bceWithLogitsBackward(x: Storage, t: Storage, gy: Storage, size: number): [Storage, Storage];

  /** Cross-correlation of x [n,c,h,w] with w [outC,c,kh,kw], plus bias [outC] per channel when given. */
  conv2d(x: Storage, w: Storage, g: Conv2dGeometry, bias?: Storage | null): Storage;
  conv2dBackwardInput(gy: Storage, w: Storage, g: Conv2dGeometry): Storage;
  conv2dBackwardWeight(gy: Storage, x: Storage, g: Conv2dGeometry): Storage;

  /** Max pooling; also returns, per output, the flat input index of its first maximum (row-major). */
  maxPool2d(x: Storage, g: Conv2dGeometry): { out: Storage; argmax: Storage };
  maxPool2dBackward(gy: Storage, argmax: Storage, g: Conv2dGeometry): Storage;
  /** Average pooling that counts padding in the divisor (PyTorch's count_include_pad=True). */
  avgPool2d(x: Storage, g: Conv2dGeometry): Storage;
  avgPool2dBackward(gy: Storage, g: Conv2dGeometry): Storage;

  /** Concatenate along the middle axis of [outer, d_i, inner] parts. */
  concat(parts: readonly Storage[], outer: number, dims: readonly number[], inner: number): Storage;
  /** Take [outer, start:start+len, inner] from x viewed as [outer, dim, inner]. */
  slice(x: Storage, outer: number, dim: number, inner: number, start: number, len: number): Storage;

  /** Rows of weight [num, dim] picked by int32 indices; an out-of-range index throws. */
  gather(weight: Storage, indices: Storage, count: number, num: number, dim: number): Storage;
  gatherBackward(gy: Storage, indices: Storage, count: number, num: number, dim: number): Storage;

  /** One SGD update of p in place (PyTorch's rule); buf is the momentum buffer, updated in place. */
  sgdStep(p: Storage, g: Storage, buf: Storage | null, size: number, h: SgdHyper): void;
  /** One Adam/AdamW update of p, m and v in place (PyTorch's rule). */
  adamStep(p: Storage, g: Storage, m: Storage, v: Storage, size: number, h: AdamHyper): void;

  /**
   * The summary (./summary.ts: count, mean, std, range, `bins`-bin histogram of the finite values; the values of a
   * tiny tensor) of each tensor's first `size` values, all read back together: what the node statistics and the
   * walk-through show. A GPU reduces on the device, so the read is O(tensors × bins), not O(values).
   */
  summaries(tensors: readonly { x: Storage; size: number }[], bins: number): Promise<TensorSummary[]>;

  /** Whether every value is finite (the NaN/Inf guard); async-capable like every readback. */
  allFinite(x: Storage, size: number): Promise<boolean>;
  /**
   * allFinite of each tensor and the first `size` values of each of `values` (float tensors), all in one read: a GPU's
   * training step reads its NaN guard's flags for every parameter gradient, its loss and its outputs in one round trip.
   * Backends whose reads cost nothing leave it out (readback.ts's allFiniteEach then asks allFinite one by one).
   */
  allFiniteEach?(
    tensors: readonly { x: Storage; size: number }[],
    values?: readonly { x: Storage; size: number }[],
  ): Promise<{ finite: boolean[]; values: Float32Array[] }>;

  /**
   * Resolves when the work recorded so far has run (a GPU's queue drained): what a timing waits for. Backends that
   * compute as they are called leave it out.
   */
  idle?(): Promise<void>;
}

let current: Backend | null = null;

export function setBackend(b: Backend): void {
  current = b;
}

export function backend(): Backend {
  if (!current) throw new Error('no engine backend is set: call setBackend() (engine/index.ts sets the CPU backend)');
  return current;
}
