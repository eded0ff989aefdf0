/**
 * Moving values without arithmetic: concat and slice along the middle axis of [outer, dim, inner] (bit copies,
 * so float32 and int32 alike), and the Embedding's gather with its gradient.
 */
import { u, type GpuContext, type GpuTensor } from '../context';
import { NAN, perElement } from './elementwise';

/** Copies part [outer, len·inner] into out [outer, total·inner] at column `at`, or back (slice). */
const BLOCK_COPY = perElement(
  'chunk: u32, fromRow: u32, toRow: u32, fromAt: u32, toAt: u32,',
  '@group(0) @binding(1) var<storage, read> X: array<u32>;\n@group(0) @binding(2) var<storage, read_write> Y: array<u32>;',
  `
    let o = i / P.chunk;
    let r = i % P.chunk;
    Y[o * P.toRow + P.toAt + r] = X[o * P.fromRow + P.fromAt + r];`,
);

export function concat(ctx: GpuContext, parts: readonly GpuTensor[], outer: number, dims: readonly number[], inner: number): GpuTensor {
  const total = dims.reduce((a, b) => a + b, 0);
  const out = ctx.tensor(outer * total * inner, parts[0].dtype);
  let at = 0;
  parts.forEach((p, k) => {
    const chunk = dims[k] * inner;
    ctx.dispatch(BLOCK_COPY, [p, out], [u(outer * chunk), u(chunk), u(chunk), u(total * inner), u(0), u(at)], ctx.groups(outer * chunk));
    at += chunk;
  });
  return out;
}

export function slice(ctx: GpuContext, x: GpuTensor, outer: number, dim: number, inner: number, start: number, len: number): GpuTensor {
  const chunk = len * inner;
  const out = ctx.tensor(outer * chunk, x.dtype);
  ctx.dispatch(BLOCK_COPY, [x, out], [u(outer * chunk), u(chunk), u(dim * inner), u(chunk), u(start * inner), u(0)], ctx.groups(outer * chunk));
  return out;
}

/**
 * An index outside 0..num−1 gives NaN for its row (the CPU backend throws): the NaN guard stops the run there.
 * The data pipeline checks indices against the embedding's size before they reach either backend.
 */
const GATHER = perElement(
  'num: u32, dim: u32,',
  '@group(0) @binding(1) var<storage, read> W: array<f32>;\n@group(0) @binding(2) var<storage, read> Idx: array<i32>;\n@group(0) @binding(3) var<storage, read_write> Y: array<f32>;',
  `
    let k = Idx[i / P.dim];
    if (k < 0 || u32(k) >= P.num) { Y[i] = nan_(); continue; }
    Y[i] = W[u32(k) * P.dim + i % P.dim];`,
  NAN,
);

export function gather(ctx: GpuContext, weight: GpuTensor, indices: GpuTensor, count: number, num: number, dim: number): GpuTensor {
  const out = ctx.tensor(count * dim, 'float32');
  ctx.dispatch(GATHER, [weight, indices, out], [u(count * dim), u(num), u(dim)], ctx.groups(count * dim));
  return out;
}

/** dW[k, j] = Σ over the positions r that looked up row k of dY[r, j]: each thread owns one value of dW. */
const GATHER_BACKWARD = perElement(
  'count: u32, dim: u32,',
  '@group(0) @binding(1) var<storage, read> G: array<f32>;\n@group(0) @binding(2) var<storage, read> Idx: array<i32>;\n@group(0) @binding(3) var<storage, read_write> D: array<f32>;',
  `
    let k = i32(i / P.dim);
    let j = i % P.dim;
    var acc = 0.0;
    for (var r = 0u; r < P.count; r++) {
      if (Idx[r] == k) { acc += G[r * P.dim + j]; }
    }
    D[i] = acc;`,
);

export function gatherBackward(ctx: GpuContext, gy: GpuTensor, indices: GpuTensor, count: number, num: number, dim: number): GpuTensor {
  const out = ctx.tensor(num * dim, 'float32');
  ctx.dispatch(GATHER_BACKWARD, [gy, indices, out], [u(num * dim), u(count), u(dim)], ctx.groups(num * dim));
  return out;
}
