// Conv2d (NCHW, weights OIHW) as GEMMs through im2col, one sample at a time, over a range of samples so the
// caller can split a batch over threads (each thread with its own column buffer, GEMM scratch and, for the
// weight gradient, its own partial sum):
//   forward:      y[n] (O×OHW)       = W (O×CKK) · cols[n] (CKK×OHW)
//   input grad:   cols (CKK×OHW)     = Wᵀ · gy[n], then col2im adds it into gx[n]
//   weight grad:  dW (O×CKK)        += gy[n] · cols[n]ᵀ
// Transposed operands are read through the GEMM's strides. The geometry is 13 i32 at `g`, in the order of the
// engine's Conv2dGeometry: n, c, h, w, outC, kh, kw, sh, sw, ph, pw, oh, ow.

import { gemm } from './gemm';
import { madd } from './simd';
import { endInside, firstInside, gi, G_C, G_H, G_W, G_OC, G_KH, G_KW, G_SH, G_SW, G_PH, G_PW, G_OH, G_OW } from './geometry';

/** cols (CKK×OHW, row-major) = im2col of one image at x (C×H×W); zeros where a tap falls in the padding. */
function im2col(g: usize, x: usize, cols: usize): void {
  const c = gi(g, G_C), h = gi(g, G_H), w = gi(g, G_W), kh = gi(g, G_KH), kw = gi(g, G_KW);
  const sh = gi(g, G_SH), sw = gi(g, G_SW), ph = gi(g, G_PH), pw = gi(g, G_PW), oh = gi(g, G_OH), ow = gi(g, G_OW);
  let d = cols;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + <usize>(ci * h * w) * 4;
    for (let ki = 0; ki < kh; ki++) {
      const oy0 = min(oh, firstInside(ph, ki, sh));
      const oy1 = endInside(h, ph, ki, sh, oy0, oh);
      for (let kj = 0; kj < kw; kj++) {
        const ox0 = min(ow, firstInside(pw, kj, sw));
        const ox1 = endInside(w, pw, kj, sw, ox0, ow);
        if (oy0 > 0) { memory.fill(d, 0, <usize>(oy0 * ow) * 4); d += <usize>(oy0 * ow) * 4; }
        for (let oy = oy0; oy < oy1; oy++) {
          // Input of output (oy, ox) is row iy at column ox·sw − pw + kj.
          const src = plane + <usize>((oy * sh - ph + ki) * w - pw + kj) * 4;
          for (let ox = 0; ox < ox0; ox++) store<f32>(d + <usize>ox * 4, 0);
          if (sw == 1) {
            let ox = ox0;
            for (; ox + 4 <= ox1; ox += 4) v128.store(d + <usize>ox * 4, v128.load(src + <usize>ox * 4));
            for (; ox < ox1; ox++) store<f32>(d + <usize>ox * 4, load<f32>(src + <usize>ox * 4));
          } else {
            for (let ox = ox0; ox < ox1; ox++) store<f32>(d + <usize>ox * 4, load<f32>(src + <usize>(ox * sw) * 4));
          }
          for (let ox = ox1; ox < ow; ox++) store<f32>(d + <usize>ox * 4, 0);
          d += <usize>ow * 4;
        }
        if (oy1 < oh) { memory.fill(d, 0, <usize>((oh - oy1) * ow) * 4); d += <usize>((oh - oy1) * ow) * 4; }
      }
    }
  }
}

/** gx (C×H×W) += col2im(cols): the adjoint of im2col. */
function col2imAdd(g: usize, cols: usize, gx: usize): void {
  const c = gi(g, G_C), h = gi(g, G_H), w = gi(g, G_W), kh = gi(g, G_KH), kw = gi(g, G_KW);
  const sh = gi(g, G_SH), sw = gi(g, G_SW), ph = gi(g, G_PH), pw = gi(g, G_PW), oh = gi(g, G_OH), ow = gi(g, G_OW);
  let s = cols;
  for (let ci = 0; ci < c; ci++) {
    const plane = gx + <usize>(ci * h * w) * 4;
    for (let ki = 0; ki < kh; ki++) {
      const oy0 = min(oh, firstInside(ph, ki, sh));
      const oy1 = endInside(h, ph, ki, sh, oy0, oh);
      for (let kj = 0; kj < kw; kj++) {
        const ox0 = min(ow, firstInside(pw, kj, sw));
        const ox1 = endInside(w, pw, kj, sw, ox0, ow);
        for (let oy = oy0; oy < oy1; oy++) {
          const dst = plane + <usize>((oy * sh - ph + ki) * w - pw + kj) * 4;
          const src = s + <usize>(oy * ow) * 4;
          if (sw == 1) {
            let ox = ox0;
            for (; ox + 4 <= ox1; ox += 4) {
              const p = dst + <usize>ox * 4;
              v128.store(p, f32x4.add(v128.load(p), v128.load(src + <usize>ox * 4)));
            }
            for (; ox < ox1; ox++) {
              const p = dst + <usize>ox * 4;
              store<f32>(p, load<f32>(p) + load<f32>(src + <usize>ox * 4));
            }
          } else {
            for (let ox = ox0; ox < ox1; ox++) {
              const p = dst + <usize>(ox * sw) * 4;
              store<f32>(p, load<f32>(p) + load<f32>(src + <usize>ox * 4));
            }
          }
        }
        s += <usize>(oh * ow) * 4;
      }
    }
  }
}

/** y[n] = W · im2col(x[n]) for samples [n0, n1). cols: CKK·OHW floats; scratch: the GEMM's. */
export function conv2dForward(g: usize, x: usize, wt: usize, bias: usize, y: usize, n0: i32, n1: i32, cols: usize, scratch: usize): void {
  const c = gi(g, G_C), oc = gi(g, G_OC);
  const ckk = c * gi(g, G_KH) * gi(g, G_KW), ohw = gi(g, G_OH) * gi(g, G_OW), chw = c * gi(g, G_H) * gi(g, G_W);
  for (let n = n0; n < n1; n++) {
    im2col(g, x + <usize>(n * chw) * 4, cols);
    const yn = y + <usize>(n * oc * ohw) * 4;
    gemm(oc, ohw, ckk, wt, ckk, 1, cols, ohw, 1, yn, ohw, false, scratch);
    // bias (0: none) per output channel, while the sample's output is still in cache.
    if (bias != 0) for (let o = 0; o < oc; o++) addScalar(yn + <usize>(o * ohw) * 4, load<f32>(bias + <usize>o * 4), ohw);
  }
}

/** p[0..n) += b. */
function addScalar(p: usize, b: f32, n: i32): void {
  const v = f32x4.splat(b);
  const end = p + <usize>(n & ~3) * 4;
  for (; p < end; p += 16) v128.store(p, f32x4.add(v128.load(p), v));
  for (let i = 0; i < (n & 3); i++) store<f32>(p + <usize>i * 4, load<f32>(p + <usize>i * 4) + b);
}

/** gx[n] += col2im(Wᵀ · gy[n]) for samples [n0, n1); gx starts zeroed. */
export function conv2dBackwardInput(g: usize, gy: usize, wt: usize, gx: usize, n0: i32, n1: i32, cols: usize, scratch: usize): void {
  const c = gi(g, G_C), oc = gi(g, G_OC);
  const ckk = c * gi(g, G_KH) * gi(g, G_KW), ohw = gi(g, G_OH) * gi(g, G_OW), chw = c * gi(g, G_H) * gi(g, G_W);
  for (let n = n0; n < n1; n++) {
    // Wᵀ (CKK×O) read from W [O, CKK]: A(i, k) = W[k·CKK + i].
    gemm(ckk, ohw, oc, wt, 1, ckk, gy + <usize>(n * oc * ohw) * 4, ohw, 1, cols, ohw, false, scratch);
    col2imAdd(g, cols, gx + <usize>(n * chw) * 4);
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * C (M×N, row stride N) += A (M×K) · Bᵀ with B (N×K), both row-major: dot products along K, 2 rows of A by 4
 * rows of B at a time (8 accumulators: few enough live vectors for V8). Edge tiles repeat the last row or
 * column and store only their inside. For the weight gradient's shapes (M, N small, K = OHW long) this beats
 * the packed GEMM, whose packing and edge tiles cost more than its multiply-adds there.
 */
function dotsNT(M: i32, N: i32, K: i32, a: usize, b: usize, c: usize): void {
  const kv = K & ~3;
  const rowA = <usize>K * 4;
  for (let i = 0; i < M; i += 2) {
    const a0 = a + <usize>i * rowA, a1 = a + <usize>min(i + 1, M - 1) * rowA;
    for (let j = 0; j < N; j += 4) {
      const b0 = b + <usize>j * rowA, b1 = b + <usize>min(j + 1, N - 1) * rowA;
      const b2 = b + <usize>min(j + 2, N - 1) * rowA, b3 = b + <usize>min(j + 3, N - 1) * rowA;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      for (let p = 0; p < kv; p += 4) {
        const o = <usize>p * 4;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        c00 = madd(x0, y, c00); c10 = madd(x1, y, c10);
        y = v128.load(b1 + o);
        c01 = madd(x0, y, c01); c11 = madd(x1, y, c11);
        y = v128.load(b2 + o);
        c02 = madd(x0, y, c02); c12 = madd(x1, y, c12);
        y = v128.load(b3 + o);
        c03 = madd(x0, y, c03); c13 = madd(x1, y, c13);
      }
      let s00 = hsum(c00), s01 = hsum(c01), s02 = hsum(c02), s03 = hsum(c03);
      let s10 = hsum(c10), s11 = hsum(c11), s12 = hsum(c12), s13 = hsum(c13);
      for (let p = kv; p < K; p++) {
        const o = <usize>p * 4;
        const x0 = load<f32>(a0 + o), x1 = load<f32>(a1 + o);
        const y0 = load<f32>(b0 + o), y1 = load<f32>(b1 + o), y2 = load<f32>(b2 + o), y3 = load<f32>(b3 + o);
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      const n = min(4, N - j);
      let r = c + <usize>(i * N + j) * 4;
      store<f32>(r, load<f32>(r) + s00);
      if (n > 1) store<f32>(r, load<f32>(r, 4) + s01, 4);
      if (n > 2) store<f32>(r, load<f32>(r, 8) + s02, 8);
      if (n > 3) store<f32>(r, load<f32>(r, 12) + s03, 12);
      if (i + 1 < M) {
        r += <usize>N * 4;
        store<f32>(r, load<f32>(r) + s10);
        if (n > 1) store<f32>(r, load<f32>(r, 4) + s11, 4);
        if (n > 2) store<f32>(r, load<f32>(r, 8) + s12, 8);
        if (n > 3) store<f32>(r, load<f32>(r, 12) + s13, 12);
      }
    }
  }
}

/** dW += Σ gy[n] · im2col(x[n])ᵀ over samples [n0, n1); dW (O×CKK) starts zeroed. */
export function conv2dBackwardWeight(g: usize, gy: usize, x: usize, dw: usize, n0: i32, n1: i32, cols: usize, scratch: usize): void {
  const c = gi(g, G_C), oc = gi(g, G_OC);
  const ckk = c * gi(g, G_KH) * gi(g, G_KW), ohw = gi(g, G_OH) * gi(g, G_OW), chw = c * gi(g, G_H) * gi(g, G_W);
  for (let n = n0; n < n1; n++) {
    im2col(g, x + <usize>(n * chw) * 4, cols);
    // gy[n] (O×OHW) and cols (CKK×OHW) are both rows along OHW: dW = gy[n] · colsᵀ is O×CKK dot products.
    dotsNT(oc, ckk, ohw, gy + <usize>(n * oc * ohw) * 4, cols, dw);
  }
}
