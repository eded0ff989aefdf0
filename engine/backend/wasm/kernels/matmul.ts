import type { WasmKernels } from '../wasmKernels';

/** C[b] = op(A[b]) @ op(B[b]); A stored [m,k] (or [k,m] when transA), B stored [k,n] (or [n,k] when transB). */
export function matmul(
  kernels: WasmKernels,
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): Float32Array {
  const w = kernels.forWork(batch * m * n * k);
  const mem = w.mem;
  mem.reset();
  const pa = mem.put(a),
    pb = mem.put(b),
    pc = mem.alloc(batch * m * n * 4);
  const ars = transA ? 1 : k,
    acs = transA ? m : 1;
  const brs = transB ? 1 : n,
    bcs = transB ? k : 1;
  for (let bi = 0; bi < batch; bi++) {
    w.gemm(m, n, k, pa + bi * m * k * 4, ars, acs, pb + bi * k * n * 4, brs, bcs, pc + bi * m * n * 4, n, false);
  }
  return mem.takeF32(pc, batch * m * n);
}
