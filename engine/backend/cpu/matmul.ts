/**
 * CPU matrix multiply. Operands are brought to row-major A[M,K], B[K,N] (a transpose copy is O(MK),
 * small next to the O(MNK) product), then multiplied four rows at a time over column tiles that stay
 * in the L1 cache.
 */

export function transpose(x: Float32Array, rows: number, cols: number, offset = 0): Float32Array {
  const out = new Float32Array(rows * cols);
  const TB = 32;
  for (let i0 = 0; i0 < rows; i0 += TB) {
    const i1 = Math.min(i0 + TB, rows);
    for (let j0 = 0; j0 < cols; j0 += TB) {
      const j1 = Math.min(j0 + TB, cols);
      for (let i = i0; i < i1; i++) {
        const src = offset + i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = x[src + j];
      }
    }
  }
  return out;
}

const TILE_N = 256;

/** C[cOff..] += A[aOff..] (M×K) @ B[bOff..] (K×N), all row-major. */
export function gemmAcc(
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
  M: number, N: number, K: number,
): void {
  for (let j0 = 0; j0 < N; j0 += TILE_N) {
    const j1 = Math.min(j0 + TILE_N, N);
    let i = 0;
    for (; i + 3 < M; i += 4) {
      const r0 = cOff + i * N, r1 = r0 + N, r2 = r1 + N, r3 = r2 + N;
      const a0r = aOff + i * K, a1r = a0r + K, a2r = a1r + K, a3r = a2r + K;
      for (let k = 0; k < K; k++) {
        const a0 = A[a0r + k], a1 = A[a1r + k], a2 = A[a2r + k], a3 = A[a3r + k];
        if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue; // ReLU outputs are often zero
        const bRow = bOff + k * N;
        for (let j = j0; j < j1; j++) {
          const b = B[bRow + j];
          C[r0 + j] += a0 * b;
          C[r1 + j] += a1 * b;
          C[r2 + j] += a2 * b;
          C[r3 + j] += a3 * b;
        }
      }
    }
    for (; i < M; i++) {
      const r0 = cOff + i * N;
      const a0r = aOff + i * K;
      for (let k = 0; k < K; k++) {
        const a0 = A[a0r + k];
        if (a0 === 0) continue;
        const bRow = bOff + k * N;
        for (let j = j0; j < j1; j++) C[r0 + j] += a0 * B[bRow + j];
      }
    }
  }
}

export function matmul(
  a: Float32Array, b: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
): Float32Array {
  const c = new Float32Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    const A = transA ? transpose(a, k, m, bi * m * k) : a;
    const aOff = transA ? 0 : bi * m * k;
    const B = transB ? transpose(b, n, k, bi * k * n) : b;
    const bOff = transB ? 0 : bi * k * n;
    gemmAcc(A, aOff, B, bOff, c, bi * m * n, m, n, k);
  }
  return c;
}
