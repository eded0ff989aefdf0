// Conv2d (NCHW, weights OIHW) as GEMMs through im2col, one sample at a time, over a range of samples so the
// caller can split a batch over threads (each thread with its own column buffer, GEMM scratch and, for the
// weight gradient, its own partial sum):
//   forward:      y[n] (O×OHW)       = W (O×CKK) · cols[n] (CKK×OHW)
//   input grad:   cols (CKK×OHW)     = Wᵀ · gy[n], then col2im adds it into gx[n]
//   weight grad:  dW (O×CKK)        += gy[n] · cols[n]ᵀ
// Transposed operands are read through the GEMM's strides. The geometry is 13 i32 at `g`, in the order of the
// engine's Conv2dGeometry: n, c, h, w, outC, kh, kw, sh, sw, ph, pw, oh, ow.

import { gemm } from './gemm';
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
export function conv2dForward(g: usize, x: usize, wt: usize, y: usize, n0: i32, n1: i32, cols: usize, scratch: usize): void {
  const c = gi(g, G_C), oc = gi(g, G_OC);
  const ckk = c * gi(g, G_KH) * gi(g, G_KW), ohw = gi(g, G_OH) * gi(g, G_OW), chw = c * gi(g, G_H) * gi(g, G_W);
  for (let n = n0; n < n1; n++) {
    im2col(g, x + <usize>(n * chw) * 4, cols);
    gemm(oc, ohw, ckk, wt, ckk, 1, cols, ohw, 1, y + <usize>(n * oc * ohw) * 4, ohw, false, scratch);
  }
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

/** dW += Σ gy[n] · im2col(x[n])ᵀ over samples [n0, n1); dW (O×CKK) starts zeroed. */
export function conv2dBackwardWeight(g: usize, gy: usize, x: usize, dw: usize, n0: i32, n1: i32, cols: usize, scratch: usize): void {
  const c = gi(g, G_C), oc = gi(g, G_OC);
  const ckk = c * gi(g, G_KH) * gi(g, G_KW), ohw = gi(g, G_OH) * gi(g, G_OW), chw = c * gi(g, G_H) * gi(g, G_W);
  for (let n = n0; n < n1; n++) {
    im2col(g, x + <usize>(n * chw) * 4, cols);
    // colsᵀ (OHW×CKK) read from cols [CKK, OHW]: B(k, j) = cols[j·OHW + k].
    gemm(oc, ckk, ohw, gy + <usize>(n * oc * ohw) * 4, ohw, 1, cols, 1, ohw, dw, ckk, true, scratch);
  }
}
