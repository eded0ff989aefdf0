/**
 * Conv2d (NCHW, weights [O, C, kh, kw]) as GEMMs on the packed kernel of ./matmul; pooling beside it.
 *   forward:      y[n] (O×OHW)       = W (O×CKK) · cols[n] (CKK×OHW)
 *   input grad:   dcols[n] (CKK×OHW) = Wᵀ · gy[n], then col2im adds it into gx[n]
 *   weight grad:  dW (O×CKK)        += gy[n] · cols[n]ᵀ, summed over the batch
 * cols[n] is the im2col matrix of sample n. It is never materialised for the forward and weight
 * gradient: the GEMM's B-packing step gathers it straight from x into its panels. Transposed operands
 * (Wᵀ, colsᵀ) are read through strides, never copied.
 */
import type { Conv2dGeometry } from '../backend';
import { PANEL_N, gemmPackB, gemmStrided, type PackB } from './matmul';
import { floatsLike, type Floats } from './floats';

/**
 * Index tables for im2col: cols[k][p] = x[nBase + kOff[k] + pOff[p]] for k = (ci, ki, kj) and
 * p = (oy, ox), valid where 0 ≤ pIy[p] + kKi[k] < h and 0 ≤ pIx[p] + kKj[k] < w (zero elsewhere: padding).
 */
interface Im2col {
  kOff: Int32Array;
  kKi: Int32Array;
  kKj: Int32Array;
  pOff: Int32Array;
  pIy: Int32Array;
  pIx: Int32Array;
  padded: boolean;
}

function im2colTables(g: Conv2dGeometry): Im2col {
  const ckk = g.c * g.kh * g.kw,
    ohw = g.oh * g.ow;
  const kOff = new Int32Array(ckk),
    kKi = new Int32Array(ckk),
    kKj = new Int32Array(ckk);
  for (let ci = 0, k = 0; ci < g.c; ci++)
    for (let ki = 0; ki < g.kh; ki++)
      for (let kj = 0; kj < g.kw; kj++, k++) {
        kOff[k] = (ci * g.h + ki) * g.w + kj;
        kKi[k] = ki;
        kKj[k] = kj;
      }
  const pOff = new Int32Array(ohw),
    pIy = new Int32Array(ohw),
    pIx = new Int32Array(ohw);
  for (let oy = 0, p = 0; oy < g.oh; oy++)
    for (let ox = 0; ox < g.ow; ox++, p++) {
      pIy[p] = oy * g.sh - g.ph;
      pIx[p] = ox * g.sw - g.pw;
      pOff[p] = pIy[p] * g.w + pIx[p];
    }
  return { kOff, kKi, kKj, pOff, pIy, pIx, padded: g.ph > 0 || g.pw > 0 };
}

/**
 * Pack cols (B(k, j) = cols[k][j], for the forward) or colsᵀ (B(k, j) = cols[j][k], for the weight
 * gradient) of sample n into the GEMM's PANEL_N-column panels, reading x directly. Either way an
 * element is x[nBase + rowOff[k] + colOff[j]], inside the image where 0 ≤ rowY[k] + colY[j] < h and
 * 0 ≤ rowX[k] + colX[j] < w, so one loop serves both, with the bounds test only when there is padding.
 */
function im2colPacker(x: Floats, n: number, g: Conv2dGeometry, t: Im2col, transposed: boolean): PackB {
  const nBase = n * g.c * g.h * g.w;
  const h = g.h,
    w = g.w;
  const rowOff = transposed ? t.pOff : t.kOff,
    colOff = transposed ? t.kOff : t.pOff;
  const rowY = transposed ? t.pIy : t.kKi,
    colY = transposed ? t.kKi : t.pIy;
  const rowX = transposed ? t.pIx : t.kKj,
    colX = transposed ? t.kKj : t.pIx;
  const padded = t.padded;
  const P = PANEL_N; // a local: module imports compile to property reads
  if (P !== 3) throw new Error('im2colPacker writes 3-column panels');
  return (dst, k0, kc, j0, nc) => {
    let d = 0;
    const kEnd = k0 + kc;
    for (let q = 0; q < nc; q += P) {
      const j = j0 + q;
      if (q + 3 > nc) {
        // Last, partial panel: columns past nc are zero.
        const cols = nc - q;
        for (let k = k0; k < kEnd; k++) {
          for (let c = 0; c < P; c++, d++) {
            const jj = j + c;
            const iy = rowY[k] + colY[jj],
              ix = rowX[k] + colX[jj];
            dst[d] = c < cols && iy >= 0 && iy < h && ix >= 0 && ix < w ? x[nBase + rowOff[k] + colOff[jj]] : 0;
          }
        }
        continue;
      }
      const o0 = nBase + colOff[j],
        o1 = nBase + colOff[j + 1],
        o2 = nBase + colOff[j + 2];
      if (!padded) {
        for (let k = k0; k < kEnd; k++, d += 3) {
          const ko = rowOff[k];
          dst[d] = x[o0 + ko];
          dst[d + 1] = x[o1 + ko];
          dst[d + 2] = x[o2 + ko];
        }
      } else {
        const y0 = colY[j],
          y1 = colY[j + 1],
          y2 = colY[j + 2];
        const x0 = colX[j],
          x1 = colX[j + 1],
          x2 = colX[j + 2];
        for (let k = k0; k < kEnd; k++, d += 3) {
          const ko = rowOff[k],
            ky = rowY[k],
            kx = rowX[k];
          // (v >>> 0) < size tests 0 ≤ v < size in one comparison.
          dst[d] = (ky + y0) >>> 0 < h && (kx + x0) >>> 0 < w ? x[o0 + ko] : 0;
          dst[d + 1] = (ky + y1) >>> 0 < h && (kx + x1) >>> 0 < w ? x[o1 + ko] : 0;
          dst[d + 2] = (ky + y2) >>> 0 < h && (kx + x2) >>> 0 < w ? x[o2 + ko] : 0;
        }
      }
    }
  };
}

/** gx[n] += col2im(cols): the adjoint of im2col, one input row run at a time. */
function col2imAdd(cols: Floats, n: number, g: Conv2dGeometry, gx: Floats): void {
  const c = g.c,
    h = g.h,
    w = g.w,
    kh = g.kh,
    kw = g.kw,
    sh = g.sh,
    sw = g.sw,
    ph = g.ph,
    pw = g.pw,
    oh = g.oh,
    ow = g.ow;
  const plane = h * w;
  const ohw = oh * ow;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const xBase = (n * c + ci) * plane;
    for (let ki = 0; ki < kh; ki++) {
      // Output rows oy (and below, columns ox) whose input row lies inside the image.
      const oy0 = Math.max(0, Math.ceil((ph - ki) / sh));
      const oy1 = Math.max(oy0, Math.min(oh, Math.floor((h - 1 + ph - ki) / sh) + 1));
      for (let kj = 0; kj < kw; kj++, row++) {
        const rBase = row * ohw;
        const ox0 = Math.max(0, Math.ceil((pw - kj) / sw));
        const ox1 = Math.max(ox0, Math.min(ow, Math.floor((w - 1 + pw - kj) / sw) + 1));
        for (let oy = oy0; oy < oy1; oy++) {
          const s = rBase + oy * ow;
          const dst = xBase + (oy * sh - ph + ki) * w - pw + kj; // gx index for ox = 0
          if (sw === 1) {
            const d = s - dst;
            for (let i = dst + ox0, e = dst + ox1; i < e; i++) gx[i] += cols[i + d];
          } else {
            for (let ox = ox0; ox < ox1; ox++) gx[dst + ox * sw] += cols[s + ox];
          }
        }
      }
    }
  }
}

// Scratch for one sample's column gradient, reused across calls (kernels never re-enter); one per precision.
let colsBuf32 = new Float32Array(1024);
let colsBuf64 = new Float64Array(0);

/** Cross-correlation, plus bias[o] on output channel o when given (added after the sum, as a separate add would). */
export function conv2d(x: Floats, wt: Floats, g: Conv2dGeometry, bias: Floats | null = null): Floats {
  const ckk = g.c * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const out = floatsLike(x, g.n * g.outC * ohw);
  const t = im2colTables(g);
  for (let n = 0; n < g.n; n++) {
    gemmPackB(g.outC, ohw, ckk, wt, 0, ckk, 1, im2colPacker(x, n, g, t, false), out, n * g.outC * ohw, ohw);
    if (bias) {
      for (let o = 0; o < g.outC; o++) {
        const b = bias[o],
          row = (n * g.outC + o) * ohw;
        for (let i = 0; i < ohw; i++) out[row + i] += b;
      }
    }
  }
  return out;
}

export function conv2dBackwardInput(gy: Floats, wt: Floats, g: Conv2dGeometry): Floats {
  const ckk = g.c * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const gx = floatsLike(gy, g.n * g.c * g.h * g.w);
  let cols: Floats;
  if (gy instanceof Float64Array) {
    if (colsBuf64.length < ckk * ohw) colsBuf64 = new Float64Array(ckk * ohw);
    cols = colsBuf64;
  } else {
    if (colsBuf32.length < ckk * ohw) colsBuf32 = new Float32Array(ckk * ohw);
    cols = colsBuf32;
  }
  for (let n = 0; n < g.n; n++) {
    cols.fill(0, 0, ckk * ohw);
    // Wᵀ (CKK×O) read from W [O, CKK] through strides: A(i, k) = W[k·CKK + i].
    gemmStrided(ckk, ohw, g.outC, wt, 0, 1, ckk, gy, n * g.outC * ohw, ohw, 1, cols, 0, ohw);
    col2imAdd(cols, n, g, gx);
  }
  return gx;
}

export function conv2dBackwardWeight(gy: Floats, x: Floats, g: Conv2dGeometry): Floats {
  const ckk = g.c * g.kh * g.kw;
  const ohw = g.oh * g.ow;
  const gw = floatsLike(gy, g.outC * ckk);
  const t = im2colTables(g);
  for (let n = 0; n < g.n; n++) {
    gemmPackB(g.outC, ckk, ohw, gy, n * g.outC * ohw, ohw, 1, im2colPacker(x, n, g, t, true), gw, 0, ckk);
  }
  return gw;
}

export function maxPool2d(x: Floats, g: Conv2dGeometry): { out: Floats; argmax: Int32Array } {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const out = floatsLike(x, n * c * oh * ow);
  const argmax = new Int32Array(out.length);
  if (ph === 0 && pw === 0 && kh === 2 && kw === 2) {
    maxPool2x2(x, g, out, argmax);
    return { out, argmax };
  }
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

/** The common 2×2 window without padding (any stride): every window lies inside the input. */
function maxPool2x2(x: Floats, g: Conv2dGeometry, out: Floats, argmax: Int32Array): void {
  const { n, c, h, w, sh, sw, oh, ow } = g;
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = base + oy * sh * w;
      for (let ox = 0, i = r0; ox < ow; ox++, o++, i += sw) {
        // Candidates in row-major order; same rule as the general loop (first maximum, NaN wins).
        let best = x[i],
          bi = i;
        let v = x[i + 1];
        if (v > best || (v !== v && best === best)) {
          best = v;
          bi = i + 1;
        }
        v = x[i + w];
        if (v > best || (v !== v && best === best)) {
          best = v;
          bi = i + w;
        }
        v = x[i + w + 1];
        if (v > best || (v !== v && best === best)) {
          best = v;
          bi = i + w + 1;
        }
        out[o] = best;
        argmax[o] = bi;
      }
    }
  }
}

export function maxPool2dBackward(gy: Floats, argmax: Int32Array, g: Conv2dGeometry): Floats {
  const gx = floatsLike(gy, g.n * g.c * g.h * g.w);
  for (let o = 0; o < gy.length; o++) gx[argmax[o]] += gy[o];
  return gx;
}

export function avgPool2d(x: Floats, g: Conv2dGeometry): Floats {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const out = floatsLike(x, n * c * oh * ow);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const y0 = oy * sh - ph,
          x0 = ox * sw - pw;
        // PyTorch's count_include_pad: the divisor counts padded cells but not cells past the padding.
        const y1 = Math.min(y0 + kh, h + ph),
          x1 = Math.min(x0 + kw, w + pw);
        const div = (y1 - y0) * (x1 - x0);
        let s = 0;
        for (let iy = Math.max(y0, 0); iy < Math.min(y1, h); iy++) for (let ix = Math.max(x0, 0); ix < Math.min(x1, w); ix++) s += x[base + iy * w + ix];
        out[o] = s / div;
      }
    }
  }
  return out;
}

export function avgPool2dBackward(gy: Floats, g: Conv2dGeometry): Floats {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const gx = floatsLike(gy, n * c * h * w);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const y0 = oy * sh - ph,
          x0 = ox * sw - pw;
        const y1 = Math.min(y0 + kh, h + ph),
          x1 = Math.min(x0 + kw, w + pw);
        const gv = gy[o] / ((y1 - y0) * (x1 - x0));
        for (let iy = Math.max(y0, 0); iy < Math.min(y1, h); iy++) for (let ix = Math.max(x0, 0); ix < Math.min(x1, w); ix++) gx[base + iy * w + ix] += gv;
      }
    }
  }
  return gx;
}
