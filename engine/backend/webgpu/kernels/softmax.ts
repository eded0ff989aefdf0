/**
 * Softmax and log-softmax along the middle axis of [outer, dim, inner], their gradients, and the two
 * classification losses with theirs: the CPU backend's max-shifted formulas, one thread per row.
 */
import { u, type GpuContext, type GpuTensor } from '../context';
import { NAN, perElement } from './elementwise';

const ROWS = `
    let o = i / P.inner;
    let base = o * P.dim * P.inner + i % P.inner;`;

const SOFTMAX = (log: boolean) =>
  perElement(
    'dim: u32, inner: u32,',
    '@group(0) @binding(1) var<storage, read> X: array<f32>;\n@group(0) @binding(2) var<storage, read_write> Y: array<f32>;',
    `${ROWS}
    var mx = -0x1.fffffep+127f;
    for (var d = 0u; d < P.dim; d++) { mx = max(mx, X[base + d * P.inner]); }
    var sum = 0.0;
    for (var d = 0u; d < P.dim; d++) { sum += exp(X[base + d * P.inner] - mx); }
    ${
      log
        ? 'let lse = mx + log(sum);\n    for (var d = 0u; d < P.dim; d++) { Y[base + d * P.inner] = X[base + d * P.inner] - lse; }'
        : 'for (var d = 0u; d < P.dim; d++) { Y[base + d * P.inner] = exp(X[base + d * P.inner] - mx) / sum; }'
    }`,
  );

const SOFTMAX_BACKWARD = (log: boolean) =>
  perElement(
    'dim: u32, inner: u32,',
    '@group(0) @binding(1) var<storage, read> Yv: array<f32>;\n@group(0) @binding(2) var<storage, read> G: array<f32>;\n@group(0) @binding(3) var<storage, read_write> D: array<f32>;',
    `${ROWS}
    var s = 0.0;
    ${
      log
        ? `for (var d = 0u; d < P.dim; d++) { s += G[base + d * P.inner]; }
    for (var d = 0u; d < P.dim; d++) { let at = base + d * P.inner; D[at] = G[at] - exp(Yv[at]) * s; }`
        : `for (var d = 0u; d < P.dim; d++) { let at = base + d * P.inner; s += G[at] * Yv[at]; }
    for (var d = 0u; d < P.dim; d++) { let at = base + d * P.inner; D[at] = Yv[at] * (G[at] - s); }`
    }`,
  );

export function softmax(ctx: GpuContext, x: GpuTensor, outer: number, dim: number, inner: number, log: boolean): GpuTensor {
  const y = ctx.tensor(outer * dim * inner, 'float32');
  ctx.dispatch(SOFTMAX(log), [x, y], [u(outer * inner), u(dim), u(inner)], ctx.groups(outer * inner));
  return y;
}

export function softmaxBackward(ctx: GpuContext, y: GpuTensor, gy: GpuTensor, outer: number, dim: number, inner: number, log: boolean): GpuTensor {
  const d = ctx.tensor(outer * dim * inner, 'float32');
  ctx.dispatch(SOFTMAX_BACKWARD(log), [y, gy, d], [u(outer * inner), u(dim), u(inner)], ctx.groups(outer * inner));
  return d;
}

/**
 * A label outside 0..c−1 makes the row's loss NaN (the CPU backend throws): the NaN guard then stops the run
 * at the loss. The data pipeline checks labels against the class count before they reach either backend.
 */
const CROSS_ENTROPY = perElement(
  'c: u32,',
  '@group(0) @binding(1) var<storage, read> X: array<f32>;\n@group(0) @binding(2) var<storage, read> L: array<i32>;\n@group(0) @binding(3) var<storage, read_write> Y: array<f32>;',
  `
    let base = i * P.c;
    let label = L[i];
    if (label < 0 || u32(label) >= P.c) { Y[i] = nan_(); continue; }
    var mx = -0x1.fffffep+127f;
    for (var j = 0u; j < P.c; j++) { mx = max(mx, X[base + j]); }
    var sum = 0.0;
    for (var j = 0u; j < P.c; j++) { sum += exp(X[base + j] - mx); }
    Y[i] = mx + log(sum) - X[base + u32(label)];`,
  NAN,
);

const CROSS_ENTROPY_BACKWARD = perElement(
  'c: u32,',
  '@group(0) @binding(1) var<storage, read> X: array<f32>;\n@group(0) @binding(2) var<storage, read> L: array<i32>;\n@group(0) @binding(3) var<storage, read> G: array<f32>;\n@group(0) @binding(4) var<storage, read_write> D: array<f32>;',
  `
    let base = i * P.c;
    let s = G[0] / f32(P.n);
    var mx = -0x1.fffffep+127f;
    for (var j = 0u; j < P.c; j++) { mx = max(mx, X[base + j]); }
    var sum = 0.0;
    for (var j = 0u; j < P.c; j++) { sum += exp(X[base + j] - mx); }
    let label = L[i];
    for (var j = 0u; j < P.c; j++) {
      D[base + j] = exp(X[base + j] - mx) / sum * s - select(0.0, s, i32(j) == label);
    }`,
);

export function crossEntropy(ctx: GpuContext, logits: GpuTensor, labels: GpuTensor, n: number, c: number): GpuTensor {
  const y = ctx.tensor(n, 'float32');
  ctx.dispatch(CROSS_ENTROPY, [logits, labels, y], [u(n), u(c)], ctx.groups(n));
  return y;
}

export function crossEntropyBackward(ctx: GpuContext, logits: GpuTensor, labels: GpuTensor, gy: GpuTensor, n: number, c: number): GpuTensor {
  const d = ctx.tensor(n * c, 'float32');
  ctx.dispatch(CROSS_ENTROPY_BACKWARD, [logits, labels, gy, d], [u(n), u(c)], ctx.groups(n));
  return d;
}

const BCE = perElement(
  '',
  '@group(0) @binding(1) var<storage, read> X: array<f32>;\n@group(0) @binding(2) var<storage, read> T: array<f32>;\n@group(0) @binding(3) var<storage, read_write> Y: array<f32>;',
  `
    let v = X[i];
    // log1p(e) for e = exp(−|v|) ≤ 1: the series keeps small e exact where log(1 + e) would round it away.
    let e = exp(-abs(v));
    let l = select(log(1.0 + e), e * (1.0 - e * (0.5 - e / 3.0)), e < 1e-3);
    Y[i] = max(v, 0.0) - v * T[i] + l;`,
);

const BCE_BACKWARD = perElement(
  '',
  '@group(0) @binding(1) var<storage, read> X: array<f32>;\n@group(0) @binding(2) var<storage, read> T: array<f32>;\n@group(0) @binding(3) var<storage, read> G: array<f32>;\n@group(0) @binding(4) var<storage, read_write> DX: array<f32>;\n@group(0) @binding(5) var<storage, read_write> DT: array<f32>;',
  `
    let v = X[i];
    var s: f32;
    if (v >= 0.0) { s = 1.0 / (1.0 + exp(-v)); } else { let e = exp(v); s = e / (1.0 + e); }
    DX[i] = (s - T[i]) * G[i];
    DT[i] = -v * G[i];`,
);

export function bceWithLogits(ctx: GpuContext, x: GpuTensor, t: GpuTensor, size: number): GpuTensor {
  const y = ctx.tensor(size, 'float32');
  ctx.dispatch(BCE, [x, t, y], [u(size)], ctx.groups(size));
  return y;
}

export function bceWithLogitsBackward(ctx: GpuContext, x: GpuTensor, t: GpuTensor, gy: GpuTensor, size: number): [GpuTensor, GpuTensor] {
  const dx = ctx.tensor(size, 'float32');
  const dt = ctx.tensor(size, 'float32');
  ctx.dispatch(BCE_BACKWARD, [x, t, gy, dx, dt], [u(size)], ctx.groups(size));
  return [dx, dt];
}
