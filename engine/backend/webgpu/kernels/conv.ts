/**
 * 2-D convolution (cross-correlation, NCHW, as PyTorch) with its input and weight gradients, and max and average
 * pooling with theirs. Each gradient is computed as a gather: a thread owns one value of the result (for the weight
 * gradient, one chunk of it) and sums what flows into it, so no two threads write the same value.
 */
import type { Conv2dGeometry } from '../../backend';
import { u, type GpuContext, type GpuTensor } from '../context';
import { perElement } from './elementwise';

const GEOMETRY = 'c: u32, h: u32, w: u32, outC: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32, oh: u32, ow: u32,';
const geometry = (g: Conv2dGeometry) => [g.c, g.h, g.w, g.outC, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow].map(u);
const IN = (b: number, name: string, type = 'f32') => `@group(0) @binding(${b}) var<storage, read> ${name}: array<${type}>;`;
const OUT = (b: number, name: string, type = 'f32') => `@group(0) @binding(${b}) var<storage, read_write> ${name}: array<${type}>;`;

/** Splits output index i into (image, channel, row, column) of an [n, ch, oh, ow] tensor. */
const OUTPUT_INDEX = (channels: string) => `
    let ox = i % P.ow;
    let oy = (i / P.ow) % P.oh;
    let oc = (i / (P.ow * P.oh)) % ${channels};
    let img = i / (P.ow * P.oh * ${channels});`;

const conv2dSource = (bias: boolean) =>
  perElement(
    GEOMETRY,
    `${IN(1, 'X')}\n${IN(2, 'W')}\n${OUT(3, 'Y')}${bias ? `\n${IN(4, 'Bias')}` : ''}`,
    `${OUTPUT_INDEX('P.outC')}
    var acc = ${bias ? 'Bias[oc]' : '0.0'};
    for (var ic = 0u; ic < P.c; ic++) {
      let xBase = (img * P.c + ic) * P.h * P.w;
      let wBase = (oc * P.c + ic) * P.kh * P.kw;
      for (var ky = 0u; ky < P.kh; ky++) {
        let iy = i32(oy * P.sh + ky) - i32(P.ph);
        if (iy < 0 || iy >= i32(P.h)) { continue; }
        for (var kx = 0u; kx < P.kw; kx++) {
          let ix = i32(ox * P.sw + kx) - i32(P.pw);
          if (ix < 0 || ix >= i32(P.w)) { continue; }
          acc = fma(X[xBase + u32(iy) * P.w + u32(ix)], W[wBase + ky * P.kw + kx], acc);
        }
      }
    }
    Y[i] = acc;`,
  );

export function conv2d(ctx: GpuContext, x: GpuTensor, w: GpuTensor, g: Conv2dGeometry, bias: GpuTensor | null): GpuTensor {
  const size = g.n * g.outC * g.oh * g.ow;
  const y = ctx.tensor(size, 'float32');
  ctx.dispatch(conv2dSource(bias !== null), bias ? [x, w, y, bias] : [x, w, y], [u(size), ...geometry(g)], ctx.groups(size));
  return y;
}

/**
 * The outputs whose window covers input row `iy` along one axis: oy with oy·s − p ≤ iy < oy·s − p + k, clipped
 * to 0..outSize−1. WGSL: sets `<name>0` and `<name>1` (exclusive).
 */
const coveringRange = (name: string, at: string, k: string, s: string, p: string, outSize: string) => `
    let ${name}Hi = i32(${at}) + i32(${p});
    let ${name}0 = u32(max(0, (${name}Hi - i32(${k}) + i32(${s})) / i32(${s})));
    let ${name}1 = u32(min(i32(${outSize}), ${name}Hi / i32(${s}) + 1));`;

const INPUT_INDEX = `
    let ix = i % P.w;
    let iy = (i / P.w) % P.h;
    let ic = (i / (P.w * P.h)) % P.c;
    let img = i / (P.w * P.h * P.c);`;

const CONV_BACKWARD_INPUT = perElement(
  GEOMETRY,
  `${IN(1, 'G')}\n${IN(2, 'W')}\n${OUT(3, 'D')}`,
  `${INPUT_INDEX}
    ${coveringRange('oy', 'iy', 'P.kh', 'P.sh', 'P.ph', 'P.oh')}
    ${coveringRange('ox', 'ix', 'P.kw', 'P.sw', 'P.pw', 'P.ow')}
    var acc = 0.0;
    for (var oc = 0u; oc < P.outC; oc++) {
      let gBase = (img * P.outC + oc) * P.oh * P.ow;
      let wBase = (oc * P.c + ic) * P.kh * P.kw;
      for (var oy = oy0; oy < oy1; oy++) {
        let ky = iy + P.ph - oy * P.sh;
        for (var ox = ox0; ox < ox1; ox++) {
          let kx = ix + P.pw - ox * P.sw;
          acc = fma(G[gBase + oy * P.ow + ox], W[wBase + ky * P.kw + kx], acc);
        }
      }
    }
    D[i] = acc;`,
);

export function conv2dBackwardInput(ctx: GpuContext, gy: GpuTensor, w: GpuTensor, g: Conv2dGeometry): GpuTensor {
  const size = g.n * g.c * g.h * g.w;
  const d = ctx.tensor(size, 'float32');
  ctx.dispatch(CONV_BACKWARD_INPUT, [gy, w, d], [u(size), ...geometry(g)], ctx.groups(size));
  return d;
}

/**
 * dW[oc, ic, ky, kx] = Σ over images and output positions of dY · X, in two passes: each thread sums one weight's
 * products over a chunk of POSITIONS_PER_THREAD positions (no barriers: a weight's sum is spread over many threads
 * even when the layer has few weights), then one thread per weight adds its chunks' partial sums in order.
 */
const POSITIONS_PER_THREAD = 64;

const CONV_BACKWARD_WEIGHT_PARTIAL = perElement(
  `batch: u32, weights: u32, ${GEOMETRY}`,
  `${IN(1, 'G')}\n${IN(2, 'X')}\n${OUT(3, 'Partial')}`,
  `
    let o = i % P.weights;
    let chunk = i / P.weights;
    let kx = o % P.kw;
    let ky = (o / P.kw) % P.kh;
    let ic = (o / (P.kw * P.kh)) % P.c;
    let oc = o / (P.kw * P.kh * P.c);
    let positions = P.batch * P.oh * P.ow;
    let end = min(positions, (chunk + 1u) * ${POSITIONS_PER_THREAD}u);
    var acc = 0.0;
    for (var q = chunk * ${POSITIONS_PER_THREAD}u; q < end; q++) {
      let ox = q % P.ow;
      let oy = (q / P.ow) % P.oh;
      let img = q / (P.ow * P.oh);
      let iy = i32(oy * P.sh + ky) - i32(P.ph);
      let ix = i32(ox * P.sw + kx) - i32(P.pw);
      if (iy >= 0 && iy < i32(P.h) && ix >= 0 && ix < i32(P.w)) {
        acc = fma(G[((img * P.outC + oc) * P.oh + oy) * P.ow + ox], X[((img * P.c + ic) * P.h + u32(iy)) * P.w + u32(ix)], acc);
      }
    }
    Partial[i] = acc;`,
);

const SUM_CHUNKS = perElement(
  'chunks: u32,',
  `${IN(1, 'Partial')}\n${OUT(2, 'D')}`,
  `
    var acc = 0.0;
    for (var k = 0u; k < P.chunks; k++) { acc += Partial[k * P.n + i]; }
    D[i] = acc;`,
);

export function conv2dBackwardWeight(ctx: GpuContext, gy: GpuTensor, x: GpuTensor, g: Conv2dGeometry): GpuTensor {
  const weights = g.outC * g.c * g.kh * g.kw;
  const chunks = Math.max(1, Math.ceil((g.n * g.oh * g.ow) / POSITIONS_PER_THREAD));
  const partial = ctx.tensor(chunks * weights, 'float32');
  ctx.dispatch(CONV_BACKWARD_WEIGHT_PARTIAL, [gy, x, partial], [u(chunks * weights), u(g.n), u(weights), ...geometry(g)], ctx.groups(chunks * weights));
  const d = ctx.tensor(weights, 'float32');
  ctx.dispatch(SUM_CHUNKS, [partial, d], [u(weights), u(chunks)], ctx.groups(weights));
  return d;
}

const MAX_POOL = perElement(
  GEOMETRY,
  `${IN(1, 'X')}\n${OUT(2, 'Y')}\n${OUT(3, 'Arg', 'i32')}`,
  `${OUTPUT_INDEX('P.c')}
    let base = (img * P.c + oc) * P.h * P.w;
    var best = 0.0;
    var bestIdx = -1;
    for (var ky = 0u; ky < P.kh; ky++) {
      let iy = i32(oy * P.sh + ky) - i32(P.ph);
      if (iy < 0 || iy >= i32(P.h)) { continue; }
      for (var kx = 0u; kx < P.kw; kx++) {
        let ix = i32(ox * P.sw + kx) - i32(P.pw);
        if (ix < 0 || ix >= i32(P.w)) { continue; }
        let idx = i32(base) + iy * i32(P.w) + ix;
        let v = X[u32(idx)];
        // Strict '>' keeps the first maximum in row-major order; a NaN wins, as in PyTorch (bit tests: see isNan).
        let vNan = (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
        let bestNan = (bitcast<u32>(best) & 0x7fffffffu) > 0x7f800000u;
        if (bestIdx < 0 || (!bestNan && (v > best || vNan))) {
          best = v;
          bestIdx = idx;
        }
      }
    }
    Y[i] = best;
    Arg[i] = bestIdx;`,
);

export function maxPool2d(ctx: GpuContext, x: GpuTensor, g: Conv2dGeometry): { out: GpuTensor; argmax: GpuTensor } {
  const size = g.n * g.c * g.oh * g.ow;
  const out = ctx.tensor(size, 'float32');
  const argmax = ctx.tensor(size, 'int32');
  ctx.dispatch(MAX_POOL, [x, out, argmax], [u(size), ...geometry(g)], ctx.groups(size));
  return { out, argmax };
}

const MAX_POOL_BACKWARD = perElement(
  GEOMETRY,
  `${IN(1, 'G')}\n${IN(2, 'Arg', 'i32')}\n${OUT(3, 'D')}`,
  `${INPUT_INDEX}
    ${coveringRange('oy', 'iy', 'P.kh', 'P.sh', 'P.ph', 'P.oh')}
    ${coveringRange('ox', 'ix', 'P.kw', 'P.sw', 'P.pw', 'P.ow')}
    let gBase = (img * P.c + ic) * P.oh * P.ow;
    var acc = 0.0;
    for (var oy = oy0; oy < oy1; oy++) {
      for (var ox = ox0; ox < ox1; ox++) {
        let o = gBase + oy * P.ow + ox;
        if (Arg[o] == i32(i)) { acc += G[o]; }
      }
    }
    D[i] = acc;`,
);

export function maxPool2dBackward(ctx: GpuContext, gy: GpuTensor, argmax: GpuTensor, g: Conv2dGeometry): GpuTensor {
  const size = g.n * g.c * g.h * g.w;
  const d = ctx.tensor(size, 'float32');
  ctx.dispatch(MAX_POOL_BACKWARD, [gy, argmax, d], [u(size), ...geometry(g)], ctx.groups(size));
  return d;
}

/** PyTorch's count_include_pad: the divisor counts padded cells but not cells past the padding. */
const DIVISOR = `
fn divisor(oy: u32, ox: u32) -> f32 {
  let y0 = i32(oy * P.sh) - i32(P.ph);
  let x0 = i32(ox * P.sw) - i32(P.pw);
  let y1 = min(y0 + i32(P.kh), i32(P.h + P.ph));
  let x1 = min(x0 + i32(P.kw), i32(P.w + P.pw));
  return f32((y1 - y0) * (x1 - x0));
}`;

const AVG_POOL = perElement(
  GEOMETRY,
  `${IN(1, 'X')}\n${OUT(2, 'Y')}`,
  `${OUTPUT_INDEX('P.c')}
    let base = (img * P.c + oc) * P.h * P.w;
    var s = 0.0;
    for (var ky = 0u; ky < P.kh; ky++) {
      let iy = i32(oy * P.sh + ky) - i32(P.ph);
      if (iy < 0 || iy >= i32(P.h)) { continue; }
      for (var kx = 0u; kx < P.kw; kx++) {
        let ix = i32(ox * P.sw + kx) - i32(P.pw);
        if (ix < 0 || ix >= i32(P.w)) { continue; }
        s += X[base + u32(iy) * P.w + u32(ix)];
      }
    }
    Y[i] = s / divisor(oy, ox);`,
  DIVISOR,
);

export function avgPool2d(ctx: GpuContext, x: GpuTensor, g: Conv2dGeometry): GpuTensor {
  const size = g.n * g.c * g.oh * g.ow;
  const out = ctx.tensor(size, 'float32');
  ctx.dispatch(AVG_POOL, [x, out], [u(size), ...geometry(g)], ctx.groups(size));
  return out;
}

const AVG_POOL_BACKWARD = perElement(
  GEOMETRY,
  `${IN(1, 'G')}\n${OUT(2, 'D')}`,
  `${INPUT_INDEX}
    ${coveringRange('oy', 'iy', 'P.kh', 'P.sh', 'P.ph', 'P.oh')}
    ${coveringRange('ox', 'ix', 'P.kw', 'P.sw', 'P.pw', 'P.ow')}
    let gBase = (img * P.c + ic) * P.oh * P.ow;
    var acc = 0.0;
    for (var oy = oy0; oy < oy1; oy++) {
      for (var ox = ox0; ox < ox1; ox++) {
        acc += G[gBase + oy * P.ow + ox] / divisor(oy, ox);
      }
    }
    D[i] = acc;`,
  DIVISOR,
);

export function avgPool2dBackward(ctx: GpuContext, gy: GpuTensor, g: Conv2dGeometry): GpuTensor {
  const size = g.n * g.c * g.h * g.w;
  const d = ctx.tensor(size, 'float32');
  ctx.dispatch(AVG_POOL_BACKWARD, [gy, d], [u(size), ...geometry(g)], ctx.groups(size));
  return d;
}
