// Max and average pooling over planes [p0, p1) of an NCHW tensor (a plane is one channel of one sample), with
// the TypeScript kernels' rules (engine/backend/cpu/conv.ts), which are PyTorch's: max pooling keeps the first
// maximum in row-major order and lets NaN win; its argmax is the flat input index. Average pooling counts the
// padding in the divisor (count_include_pad=True) and sums in f64 as the TypeScript kernel does.

import { gi, G_C, G_H, G_W, G_KH, G_KW, G_SH, G_SW, G_PH, G_PW, G_OH, G_OW } from './geometry';

// @ts-ignore: decorator
@inline
function wins(v: f32, best: f32): bool {
  return v > best || (v != v && best == best);
}

export function maxPool2d(g: usize, x: usize, out: usize, argmax: usize, p0: i32, p1: i32): void {
  const h = gi(g, G_H), w = gi(g, G_W), kh = gi(g, G_KH), kw = gi(g, G_KW);
  const sh = gi(g, G_SH), sw = gi(g, G_SW), ph = gi(g, G_PH), pw = gi(g, G_PW), oh = gi(g, G_OH), ow = gi(g, G_OW);
  const fast = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  for (let p = p0; p < p1; p++) {
    const base = p * h * w;
    let o = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      let ox = 0;
      if (fast) {
        // Four outputs at a time: even and odd columns of two input rows, compared in row-major order.
        const r0 = base + 2 * oy * w;
        let idx = i32x4(r0, r0 + 2, r0 + 4, r0 + 6);
        const step = i32x4.splat(8), one = i32x4.splat(1), down = i32x4.splat(w);
        for (; ox + 4 <= ow; ox += 4) {
          const s0 = x + <usize>(r0 + 2 * ox) * 4, s1 = s0 + <usize>w * 4;
          const a0 = v128.load(s0), a1 = v128.load(s0, 16), b0 = v128.load(s1), b1 = v128.load(s1, 16);
          let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          let bi = idx;
          let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          let m = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
          best = v128.bitselect(v, best, m); bi = v128.bitselect(i32x4.add(idx, one), bi, m);
          v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          m = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
          best = v128.bitselect(v, best, m); bi = v128.bitselect(i32x4.add(idx, down), bi, m);
          v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          m = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
          best = v128.bitselect(v, best, m); bi = v128.bitselect(i32x4.add(i32x4.add(idx, down), one), bi, m);
          v128.store(out + <usize>(o + ox) * 4, best);
          v128.store(argmax + <usize>(o + ox) * 4, bi);
          idx = i32x4.add(idx, step);
        }
      }
      for (; ox < ow; ox++) {
        let best = <f32>-Infinity;
        let bestIdx = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki;
          if (<u32>iy >= <u32>h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj;
            if (<u32>ix >= <u32>w) continue;
            const i = base + iy * w + ix;
            const v = load<f32>(x + <usize>i * 4);
            if (bestIdx < 0 || wins(v, best)) { best = v; bestIdx = i; }
          }
        }
        store<f32>(out + <usize>(o + ox) * 4, best);
        store<i32>(argmax + <usize>(o + ox) * 4, bestIdx);
      }
      o += ow;
    }
  }
}

/** gx[argmax[o]] += gy[o] for o in [0, count); gx starts zeroed. */
export function maxPool2dBackward(gy: usize, argmax: usize, gx: usize, count: i32): void {
  for (let o = 0; o < count; o++) {
    const i = load<i32>(argmax + <usize>o * 4);
    if (i < 0) continue; // a window wholly in the padding (PyTorch refuses such geometry; be safe)
    const p = gx + <usize>i * 4;
    store<f32>(p, load<f32>(p) + load<f32>(gy + <usize>o * 4));
  }
}

export function avgPool2d(g: usize, x: usize, out: usize, p0: i32, p1: i32): void {
  const h = gi(g, G_H), w = gi(g, G_W), kh = gi(g, G_KH), kw = gi(g, G_KW);
  const sh = gi(g, G_SH), sw = gi(g, G_SW), ph = gi(g, G_PH), pw = gi(g, G_PW), oh = gi(g, G_OH), ow = gi(g, G_OW);
  let o = p0 * oh * ow;
  for (let p = p0; p < p1; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const y0 = oy * sh - ph, x0 = ox * sw - pw;
        // The divisor counts padded cells but not cells past the padding (PyTorch's count_include_pad).
        const y1 = min(y0 + kh, h + ph), x1 = min(x0 + kw, w + pw);
        const div = <f64>((y1 - y0) * (x1 - x0));
        let s: f64 = 0;
        for (let iy = max(y0, 0), ye = min(y1, h); iy < ye; iy++) {
          const row = x + <usize>(base + iy * w) * 4;
          for (let ix = max(x0, 0), xe = min(x1, w); ix < xe; ix++) s += <f64>load<f32>(row + <usize>ix * 4);
        }
        store<f32>(out + <usize>o * 4, <f32>(s / div));
      }
    }
  }
}

export function avgPool2dBackward(g: usize, gy: usize, gx: usize, p0: i32, p1: i32): void {
  const h = gi(g, G_H), w = gi(g, G_W), kh = gi(g, G_KH), kw = gi(g, G_KW);
  const sh = gi(g, G_SH), sw = gi(g, G_SW), ph = gi(g, G_PH), pw = gi(g, G_PW), oh = gi(g, G_OH), ow = gi(g, G_OW);
  let o = p0 * oh * ow;
  for (let p = p0; p < p1; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const y0 = oy * sh - ph, x0 = ox * sw - pw;
        const y1 = min(y0 + kh, h + ph), x1 = min(x0 + kw, w + pw);
        const gv = <f64>load<f32>(gy + <usize>o * 4) / <f64>((y1 - y0) * (x1 - x0));
        for (let iy = max(y0, 0), ye = min(y1, h); iy < ye; iy++) {
          const row = gx + <usize>(base + iy * w) * 4;
          for (let ix = max(x0, 0), xe = min(x1, w); ix < xe; ix++) {
            const q = row + <usize>ix * 4;
            store<f32>(q, <f32>(<f64>load<f32>(q) + gv));
          }
        }
      }
    }
  }
}
