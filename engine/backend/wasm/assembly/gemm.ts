// Packed, register-blocked single-precision GEMM in WebAssembly SIMD (GotoBLAS/BLIS structure).
//   C[i, j] (+)= Σ_k A(i, k) · B(k, j),  A(i, k) at a + 4·(i·ars + k·acs),  B(k, j) at b + 4·(k·brs + j·bcs)
// Strides make every transpose backprop needs free: op(A) and op(B) are copied ("packed") block by block into
// contiguous panels, MR rows of op(A) and NR columns of op(B) interleaved by k, and the micro-kernel multiplies
// one A panel by one B panel with its MR×NR tile of C held in registers for the whole k loop.
// Blocks: KC values of k so that a B micro-panel (KC·NR·4 = 8 KiB) stays in L1, an A block (MC·KC·4 = 96 KiB)
// in L2; NC columns of B (KC·NC·4 = 1 MiB) in the last-level cache. MC is a multiple of MR.
// The micro-tile is 4×8: measured on an AVX-512 Xeon under V8 (Node 20), 6×8 (12 accumulators) and unrolled
// k loops ran at half the speed, presumably spilling registers; 4×8 reaches ~80 % of the relaxed-SIMD FMA
// ceiling and ~95 % of the plain-SIMD one.

import { madd } from './simd';

export const MR: i32 = 4;
export const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 96;
const NC: i32 = 1024;

/** Bytes of scratch one gemm call needs: a packed A block and a packed B block. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * (NC + NR)) * 4 + 64;
}

/** Rows [i0, i0+mc) × k [k0, k0+kc) of op(A) into MR-row panels (zeros past the last row). */
function packA(a: usize, ars: i32, acs: i32, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  for (let q = 0; q < mc; q += MR) {
    const rows = min(MR, mc - q);
    const panel = dst + <usize>(q * kc) * 4;
    if (acs == 1 && rows == MR) {
      // Row-major A: each row is contiguous in k; read MR rows side by side.
      for (let r = 0; r < MR; r++) {
        const src = a + <usize>((i0 + q + r) * ars + k0) * 4;
        let d = panel + <usize>r * 4;
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(src + <usize>k * 4));
          d += MR * 4;
        }
      }
    } else if (ars == 1 && rows == MR) {
      // Transposed A: for each k the MR values of a panel are contiguous.
      for (let k = 0; k < kc; k++) {
        const src = a + <usize>((i0 + q) + (k0 + k) * acs) * 4;
        const d = panel + <usize>(k * MR) * 4;
        for (let r = 0; r < MR; r++) store<f32>(d + <usize>r * 4, load<f32>(src + <usize>r * 4));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const d = panel + <usize>(k * MR) * 4;
        for (let r = 0; r < MR; r++) {
          store<f32>(d + <usize>r * 4, r < rows ? load<f32>(a + <usize>((i0 + q + r) * ars + (k0 + k) * acs) * 4) : 0);
        }
      }
    }
  }
}

/** k [k0, k0+kc) × columns [j0, j0+nc) of op(B) into NR-column panels (zeros past the last column). */
function packB(b: usize, brs: i32, bcs: i32, k0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let p = 0; p < nc; p += NR) {
    const cols = min(NR, nc - p);
    const panel = dst + <usize>(p * kc) * 4;
    if (bcs == 1 && cols == NR) {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>((k0 + k) * brs + j0 + p) * 4;
        const d = panel + <usize>(k * NR) * 4;
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
    } else if (brs == 1 && cols == NR) {
      // Transposed B (B = Wᵀ for a Linear layer): column j is contiguous in k.
      for (let c = 0; c < NR; c++) {
        const src = b + <usize>(k0 + (j0 + p + c) * bcs) * 4;
        let d = panel + <usize>c * 4;
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(src + <usize>k * 4));
          d += NR * 4;
        }
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const d = panel + <usize>(k * NR) * 4;
        for (let c = 0; c < NR; c++) {
          store<f32>(d + <usize>c * 4, c < cols ? load<f32>(b + <usize>((k0 + k) * brs + (j0 + p + c) * bcs) * 4) : 0);
        }
      }
    }
  }
}

/**
 * The micro-kernel: C tile (rows MR, columns NR) at c (row stride ldc floats) += A panel · B panel over kc.
 * A tile cut by the edge of C (mr < MR or nr < NR) is computed whole into `tmp` and only its inside is added.
 */
// @ts-ignore: decorator
@inline
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, load_: bool, mr: i32, nr: i32, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += MR * 4;
    pb += NR * 4;
  }
  if (mr == MR && nr == NR) {
    const r = <usize>ldc * 4;
    if (load_) {
      v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16); c += r;
      v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16); c += r;
      v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16); c += r;
      v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
    } else {
      v128.store(c, c00); v128.store(c, c01, 16); c += r;
      v128.store(c, c10); v128.store(c, c11, 16); c += r;
      v128.store(c, c20); v128.store(c, c21, 16); c += r;
      v128.store(c, c30); v128.store(c, c31, 16);
    }
    return;
  }
  v128.store(tmp, c00, 0); v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64); v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96); v128.store(tmp, c31, 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const dst = c + <usize>(i * ldc + j) * 4;
      const v = load<f32>(tmp + <usize>(i * NR + j) * 4);
      store<f32>(dst, load_ ? load<f32>(dst) + v : v);
    }
  }
}

/**
 * C (M×N, row stride ldc) = op(A)·op(B), or += when `accumulate`. Threads split C into blocks of rows or
 * columns by offsetting a, b and c. scratch: gemmScratchBytes() bytes, 16-byte aligned, private to the caller.
 */
export function gemm(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, accumulate: bool,
  scratch: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>N * 4);
    return;
  }
  const tmp = scratch;
  const pA = scratch + 256;
  const pB = pA + <usize>(MC * KC) * 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const load_ = accumulate || pc > 0;
      packB(b, brs, bcs, pc, kc, jc, nc, pB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(a, ars, acs, ic, mc, pc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = pB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            micro(pA + <usize>(ir * kc) * 4, pb, kc, c + <usize>((ic + ir) * ldc + jc + jr) * 4, ldc, load_, mr, nr, tmp);
          }
        }
      }
    }
  }
}
