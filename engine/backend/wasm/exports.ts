/** The kernel module's exports, as engine/backend/wasm/assembly/index.ts declares them (pointers are byte offsets). */
export interface KernelExports {
  gemm(
    M: number,
    N: number,
    K: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
    accumulate: number,
    scratch: number,
  ): void;
  gemmScratchBytes(): number;
  ceiling(iters: number, seed: number): number;

  // Elementwise, reductions and optimizer updates (assembly/elementwise.ts, reduce.ts, optim.ts).
  unary(op: number, x: number, y: number, n: number, param: number): void;
  unaryBackward(op: number, x: number, gy: number, g: number, n: number, param: number): void;
  binary(op: number, a: number, b: number, out: number, n: number): void;
  binaryBlock(op: number, swap: number, full: number, small: number, out: number, outer: number, mid: number, inner: number): void;
  axpby(a: number, alpha: number, b: number, beta: number, out: number, n: number): void;
  scale(x: number, alpha: number, out: number, n: number): void;
  sumBlock(x: number, outer: number, mid: number, inner: number, acc: number, out: number): void;
  sumSquares(x: number, n: number): number;
  allFinite(x: number, n: number): number;
  addRowVector(x: number, bias: number, rows: number, cols: number): void;
  sgdStep(
    p: number,
    g: number,
    buf: number,
    n: number,
    lr: number,
    momentum: number,
    oneMinusDampening: number,
    wd: number,
    nesterov: number,
    first: number,
  ): void;
  adamStep(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    eps: number,
    wd: number,
    decoupled: number,
    stepSize: number,
    bc2Sqrt: number,
    decay: number,
  ): void;

  // Conv2d and pooling (assembly/conv.ts, pool.ts): g points at the 13 int32 of a Conv2dGeometry.
  conv2dForward(g: number, x: number, w: number, bias: number, y: number, n0: number, n1: number, cols: number, scratch: number): void;
  conv2dBackwardInput(g: number, gy: number, w: number, gx: number, n0: number, n1: number, cols: number, scratch: number): void;
  conv2dBackwardWeight(g: number, gy: number, x: number, dw: number, n0: number, n1: number, cols: number, scratch: number): void;
  maxPool2d(g: number, x: number, out: number, argmax: number, p0: number, p1: number): void;
  maxPool2dBackward(gy: number, argmax: number, gx: number, count: number): void;
  avgPool2d(g: number, x: number, out: number, p0: number, p1: number): void;
  avgPool2dBackward(g: number, gy: number, gx: number, p0: number, p1: number): void;

  // The live view's tensor summary (assembly/summary.ts).
  summaryRange(x: number, n: number, out: number): void;
  summaryHistogram(x: number, n: number, mean: number, lo: number, scale: number, bins: number, counts: number): number;
}

/** Exports a worker thread may be asked to run, by index (the job protocol passes the index, not the name). */
export const THREADED_KERNELS = ['gemm', 'ceiling', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight'] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];
