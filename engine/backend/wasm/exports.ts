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
}

/** Exports a worker thread may be asked to run, by index (the job protocol passes the index, not the name). */
export const THREADED_KERNELS = ['gemm', 'ceiling'] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];
