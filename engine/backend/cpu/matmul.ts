/**
 * CPU matrix multiply, GotoBLAS-style. op(A) and op(B) are read through strides, so a transposed
 * operand costs nothing extra: both are copied ("packed") block by block into small contiguous panels,
 * op(A) into MR-row panels and op(B) into NR-column panels, and a register-blocked micro-kernel
 * multiplies one A panel by one B panel with its MR×NR accumulators in locals (no loads or stores of C
 * inside the k loop). Blocks: KC values of k at a time so a B micro-panel (KC×NR) stays in L1 and an
 * A block (MC×KC) in L2 while every B micro-panel sweeps over it.
 */

import { floatsLike, type Floats } from './floats';

const MR = 2; // rows of op(A) per micro-tile
const NR = 3; // columns of op(B) per micro-tile
const KC = 256;
const MC = 64;
const NC = 256;

// Packing buffers (≈0.65 MB), reused across calls: kernels never re-enter, and each worker has its own
// module. Float64 so the micro-kernel loads doubles directly instead of converting every float32 it
// reads. Module-level constants on purpose: V8 then knows the arrays inside the inlined micro-kernel,
// which measured ~25% faster than buffers grown on demand through a `let`.
const packA = new Float64Array(MC * KC);
const packBuf = new Float64Array(KC * (NC + NR));

/**
 * Pack rows [i0, i0+mc) × k [k0, k0+kc) of op(A) into MR-row panels: panel q holds, for each k, the MR
 * values A(i0+MR·q+r, k), zero past the last row. Element A(i, k) = A[off + i·rs + k·cs].
 */
function packPanelsA(A: Floats, off: number, rs: number, cs: number, i0: number, mc: number, k0: number, kc: number, dst: Float64Array): void {
  let d = 0;
  for (let q = 0; q < mc; q += MR) {
    const base = off + (i0 + q) * rs + k0 * cs;
    if (q + MR <= mc) {
      const r1 = base + rs;
      for (let k = 0, s = 0; k < kc; k++, d += 2, s += cs) {
        dst[d] = A[base + s];
        dst[d + 1] = A[r1 + s];
      }
    } else {
      for (let k = 0, s = base; k < kc; k++, d += 2, s += cs) {
        dst[d] = A[s];
        dst[d + 1] = 0;
      }
    }
  }
}

/** Pack k [k0, k0+kc) × columns [j0, j0+nc) of op(B) into NR-column panels; B(k, j) = B[off + k·rs + j·cs]. */
function packPanelsB(B: Floats, off: number, rs: number, cs: number, k0: number, kc: number, j0: number, nc: number, dst: Float64Array): void {
  let d = 0;
  for (let p = 0; p < nc; p += NR) {
    const cols = Math.min(NR, nc - p);
    const base = off + k0 * rs + (j0 + p) * cs;
    if (cols === NR) {
      const c1 = base + cs,
        c2 = base + 2 * cs;
      for (let k = 0, s = 0; k < kc; k++, d += 3, s += rs) {
        dst[d] = B[base + s];
        dst[d + 1] = B[c1 + s];
        dst[d + 2] = B[c2 + s];
      }
    } else {
      for (let k = 0, s = base; k < kc; k++, d += 3, s += rs) {
        dst[d] = B[s];
        dst[d + 1] = cols > 1 ? B[s + cs] : 0;
        dst[d + 2] = 0;
      }
    }
  }
}

/**
 * The 2×3 tile of C at c (row stride ldc) += Ap panel (kc×MR) · Bp panel (kc×NR). 2×3 keeps its 6
 * accumulators and 5 operands in registers: in V8's scalar float64 code, bigger tiles (4×4, 4×8) spill
 * and measured 20-40% slower; smaller ones pay more bounds-checked loads per multiply.
 */
function micro(Ap: Float64Array, a: number, Bp: Float64Array, b: number, kc: number, C: Floats, c: number, ldc: number): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0;
  const aEnd = a + kc * 2;
  for (; a < aEnd; a += 2, b += 3) {
    const a0 = Ap[a],
      a1 = Ap[a + 1];
    const b0 = Bp[b],
      b1 = Bp[b + 1],
      b2 = Bp[b + 2];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
  }
  C[c] += c00;
  C[c + 1] += c01;
  C[c + 2] += c02;
  const r = c + ldc;
  C[r] += c10;
  C[r + 1] += c11;
  C[r + 2] += c12;
}
// Edge-tile scratch at each precision: the float32 path rounds the tile as it always did, float64 keeps it exact.
const tile32 = new Float32Array(6);
const tile64 = new Float64Array(6);

/**
 * Writes op(B) rows [k0, k0+kc) × columns [j0, j0+nc) into dst as PANEL_N-column panels: panel q at
 * dst[q·kc·PANEL_N ..], holding for each k the PANEL_N values B(k, j0+q·PANEL_N+c), zeros past column
 * j0+nc. Lets a caller produce B on the fly (convolution writes its im2col columns straight into panels).
 */
export type PackB = (dst: Float64Array, k0: number, kc: number, j0: number, nc: number) => void;
export const PANEL_N = NR;

/**
 * C[cOff + i·ldc + j] += Σ_k A(i, k)·B(k, j) for i < M, j < N, where A(i, k) = A[aOff + i·ars + k·acs]
 * and B(k, j) = B[bOff + k·brs + j·bcs]: any layout or transpose of either operand.
 */
export function gemmStrided(
  M: number,
  N: number,
  K: number,
  A: Floats,
  aOff: number,
  ars: number,
  acs: number,
  B: Floats,
  bOff: number,
  brs: number,
  bcs: number,
  C: Floats,
  cOff: number,
  ldc: number,
): void {
  gemmPackB(M, N, K, A, aOff, ars, acs, (dst, k0, kc, j0, nc) => packPanelsB(B, bOff, brs, bcs, k0, kc, j0, nc, dst), C, cOff, ldc);
}

/** gemmStrided with op(B) produced by a packing function instead of read from memory. */
export function gemmPackB(
  M: number,
  N: number,
  K: number,
  A: Floats,
  aOff: number,
  ars: number,
  acs: number,
  packB: PackB,
  C: Floats,
  cOff: number,
  ldc: number,
): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(packBuf, pc, kc, jc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelsA(A, aOff, ars, acs, ic, mc, pc, kc, packA);
        // Macro-kernel. (Kept inline: as a separate function V8 compiled it measurably slower.)
        const c = cOff + ic * ldc + jc;
        const Ap = packA,
          Bp = packBuf;
        const mFull = mc - (mc % MR);
        const tile = C instanceof Float64Array ? tile64 : tile32;
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bp = jr * kc;
          const cCol = c + jr;
          let ir = 0;
          if (nr === NR) for (; ir < mFull; ir += MR) micro(Ap, ir * kc, Bp, bp, kc, C, cCol + ir * ldc, ldc);
          for (; ir < mc; ir += MR) {
            // Edge tile: compute the whole MR×NR tile into scratch, add back only the part inside C.
            tile.fill(0);
            micro(Ap, ir * kc, Bp, bp, kc, tile, 0, NR);
            const mr = Math.min(MR, mc - ir);
            for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) C[cCol + (ir + i) * ldc + j] += tile[i * NR + j];
          }
        }
      }
    }
  }
}

/** C[cOff..] += A[aOff..] (M×K) @ B[bOff..] (K×N), all row-major. */
export function gemmAcc(A: Floats, aOff: number, B: Floats, bOff: number, C: Floats, cOff: number, M: number, N: number, K: number): void {
  gemmStrided(M, N, K, A, aOff, K, 1, B, bOff, N, 1, C, cOff, N);
}

export function matmul(a: Floats, b: Floats, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean): Floats {
  const c = floatsLike(a, batch * m * n);
  // Stored A is [m, k] (or [k, m] when transA); stored B is [k, n] (or [n, k] when transB).
  const ars = transA ? 1 : k,
    acs = transA ? m : 1;
  const brs = transB ? 1 : n,
    bcs = transB ? k : 1;
  for (let bi = 0; bi < batch; bi++) {
    gemmStrided(m, n, k, a, bi * m * k, ars, acs, b, bi * k * n, brs, bcs, c, bi * m * n, n);
  }
  return c;
}
