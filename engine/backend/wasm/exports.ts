/** The kernel module's exports, as engine/backend/wasm/assembly/index.ts declares them (pointers are byte offsets). */
export interface KernelExports {
  gemm(
    M: number, N: number, K: number,
    a: number, ars: number, acs: number,
    b: number, brs: number, bcs: number,
    c: number, ldc: number, accumulate: number,
    scratch: number,
  ): void;
  gemmScratchBytes(): number;
  ceiling(iters: number, seed: number): number;
  // Conv2d and pooling (assembly/conv.ts, pool.ts): g points at the 13 int32 of a Conv2dGeometry.
  conv2dForward(g: number, x: number, w: number, y: number, n0: number, n1: number, cols: number, scratch: number): void;
  conv2dBackwardInput(g: number, gy: number, w: number, gx: number, n0: number, n1: number, cols: number, scratch: number): void;
  conv2dBackwardWeight(g: number, gy: number, x: number, dw: number, n0: number, n1: number, cols: number, scratch: number): void;
  maxPool2d(g: number, x: number, out: number, argmax: number, p0: number, p1: number): void;
  maxPool2dBackward(gy: number, argmax: number, gx: number, count: number): void;
  avgPool2d(g: number, x: number, out: number, p0: number, p1: number): void;
  avgPool2dBackward(g: number, gy: number, gx: number, p0: number, p1: number): void;
}

/** Exports a worker thread may be asked to run, by index (the job protocol passes the index, not the name). */
export const THREADED_KERNELS = ['gemm', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight'] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];
