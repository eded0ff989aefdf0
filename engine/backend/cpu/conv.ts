/** Conv2d (NCHW, weights [O, C, kh, kw]) by im2col and matrix multiply; pooling kernels beside it. */
import type { Conv2dGeometry } from '../backend';
import { gemmAcc, transpose } from './matmul';

/** cols [C*kh*kw, oh*ow] for sample n. */
function im2col(x: Float32Array, n: number, g: Conv2dGeometry, cols: Float32Array): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  const ohw = oh * ow;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const xBase = (n * c + ci) * plane;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const rBase = row * ohw;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki;
          const dst = rBase + oy * ow;
          if (iy < 0 || iy >= h) {
            cols.fill(0, dst, dst + ow);
            continue;
          }
          const src = xBase + iy * w;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + kj;
            cols[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0;
          }
        }
      }
    }
  }
}

function col2imAdd(cols: Float32Array, n: number, g: Conv2dGeometry, gx: Float32Array): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  const ohw = oh * ow;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const xBase = (n * c + ci) * plane;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const rBase = row * ohw;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= h) continue;
          const dst = xBase + iy * w;
          const src = rBase + oy * ow;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + kj;
            if (ix >= 0 && ix < w) gx[dst + ix] += cols[src + ox];
          }
        }
      }
    }
  }
}

export function conv2d(x: Float32Array, wt: Float32Array, g: Conv2dGeometry): Float32Array {
  const ckk = g.c * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const out = new Float32Array(g.n * g.outC * ohw);
  const cols = new Float32Array(ckk * ohw);
  for (let n = 0; n < g.n; n++) {
    im2col(x, n, g, cols);
    gemmAcc(wt, 0, cols, 0, out, n * g.outC * ohw, g.outC, ohw, ckk);
  }
  return out;
}

export function conv2dBackwardInput(gy: Float32Array, wt: Float32Array, g: Conv2dGeometry): Float32Array {
  const ckk = g.c * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const gx = new Float32Array(g.n * g.c * g.h * g.w);
  const wT = transpose(wt, g.outC, ckk); // [CKK, O]
  const cols = new Float32Array(ckk * ohw);
  for (let n = 0; n < g.n; n++) {
    cols.fill(0);
    gemmAcc(wT, 0, gy, n * g.outC * ohw, cols, 0, ckk, ohw, g.outC);
    col2imAdd(cols, n, g, gx);
  }
  return gx;
}

export function conv2dBackwardWeight(gy: Float32Array, x: Float32Array, g: Conv2dGeometry): Float32Array {
  const ckk = g.c * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const gw = new Float32Array(g.outC * ckk);
  const cols = new Float32Array(ckk * ohw);
  for (let n = 0; n < g.n; n++) {
    im2col(x, n, g, cols);
    const colsT = transpose(cols, ckk, ohw); // [OHW, CKK]
    gemmAcc(gy, n * g.outC * ohw, colsT, 0, gw, 0, g.outC, ckk, ohw);
  }
  return gw;
}

export function maxPool2d(x: Float32Array, g: Conv2dGeometry): { out: Float32Array; argmax: Int32Array } {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const out = new Float32Array(n * c * oh * ow);
  const argmax = new Int32Array(out.length);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let best = -Infinity;
        let bestIdx = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj;
            if (ix < 0 || ix >= w) continue;
            const idx = base + iy * w + ix;
            const v = x[idx];
            // Strict '>' keeps the first maximum in row-major order; NaN propagates as in PyTorch.
            if (bestIdx < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
              best = v;
              bestIdx = idx;
            }
          }
        }
        out[o] = best;
        argmax[o] = bestIdx;
      }
    }
  }
  return { out, argmax };
}

export function maxPool2dBackward(gy: Float32Array, argmax: Int32Array, g: Conv2dGeometry): Float32Array {
  const gx = new Float32Array(g.n * g.c * g.h * g.w);
  for (let o = 0; o < gy.length; o++) gx[argmax[o]] += gy[o];
  return gx;
}

export function avgPool2d(x: Float32Array, g: Conv2dGeometry): Float32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const out = new Float32Array(n * c * oh * ow);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const y0 = oy * sh - ph, x0 = ox * sw - pw;
        // PyTorch's count_include_pad: the divisor counts padded cells but not cells past the padding.
        const y1 = Math.min(y0 + kh, h + ph), x1 = Math.min(x0 + kw, w + pw);
        const div = (y1 - y0) * (x1 - x0);
        let s = 0;
        for (let iy = Math.max(y0, 0); iy < Math.min(y1, h); iy++)
          for (let ix = Math.max(x0, 0); ix < Math.min(x1, w); ix++) s += x[base + iy * w + ix];
        out[o] = s / div;
      }
    }
  }
  return out;
}

export function avgPool2dBackward(gy: Float32Array, g: Conv2dGeometry): Float32Array {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const gx = new Float32Array(n * c * h * w);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const y0 = oy * sh - ph, x0 = ox * sw - pw;
        const y1 = Math.min(y0 + kh, h + ph), x1 = Math.min(x0 + kw, w + pw);
        const gv = gy[o] / ((y1 - y0) * (x1 - x0));
        for (let iy = Math.max(y0, 0); iy < Math.min(y1, h); iy++)
          for (let ix = Math.max(x0, 0); ix < Math.min(x1, w); ix++) gx[base + iy * w + ix] += gv;
      }
    }
  }
  return gx;
}
