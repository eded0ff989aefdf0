/**
 * Kernel-level timings for tuning engine/backend/cpu (no TF.js): the matmul shapes and transposes that
 * the benchmark's MLP and CNN produce, and their conv layers.
 *   node --expose-gc --import tsx bench/kernels.bench.ts [filter]
 */
import type { Conv2dGeometry } from '../engine/backend/backend';
import { matmul } from '../engine/backend/cpu/matmul';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, maxPool2d } from '../engine/backend/cpu/conv';
import { measure } from './harness';
import { randomMatrix } from './models';

const filter = process.argv[2] ?? '';

function report(name: string, flops: number, fn: () => void): void {
  if (!name.includes(filter)) return;
  const t = measure(fn, { warmup: 3, budgetMs: 800 });
  const gf = flops / (t.cpuMedianMs * 1e6);
  console.log(
    `${name.padEnd(32)} wall ${t.medianMs.toFixed(3).padStart(9)} ms  cpu ${t.cpuMedianMs.toFixed(3).padStart(9)} ms ${gf.toFixed(2).padStart(6)} GFLOP/s(cpu)  (${t.samples})`,
  );
}

function mm(m: number, n: number, k: number, tA: boolean, tB: boolean, label = ''): void {
  const a = randomMatrix(m, k, 'a'),
    b = randomMatrix(k, n, 'b');
  report(`mm ${m}×${n}×${k} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${label}`, 2 * m * n * k, () => matmul(a, b, 1, m, n, k, tA, tB));
}

mm(256, 256, 256, false, false);
mm(1024, 1024, 1024, false, false);
// MLP 784-256-128-10, batch 64: forward x·Wᵀ, backward dx = dy·W, dW = dyᵀ·x.
mm(64, 256, 784, false, true, 'fc1 fwd');
mm(64, 784, 256, false, false, 'fc1 dx');
mm(256, 784, 64, true, false, 'fc1 dW');
mm(64, 128, 256, false, true, 'fc2 fwd');
mm(64, 256, 128, false, false, 'fc2 dx');
mm(128, 256, 64, true, false, 'fc2 dW');
mm(64, 10, 128, false, true, 'fc3 fwd');

function geom(n: number, c: number, h: number, w: number, outC: number, k: number): Conv2dGeometry {
  return { n, c, h, w, outC, kh: k, kw: k, sh: 1, sw: 1, ph: 0, pw: 0, oh: h - k + 1, ow: w - k + 1 };
}
for (const [name, g] of [
  ['conv1', geom(32, 1, 28, 28, 8, 3)],
  ['conv2', geom(32, 8, 13, 13, 16, 3)],
] as const) {
  const x = randomMatrix(g.n * g.c, g.h * g.w, `${name}x`);
  const w = randomMatrix(g.outC, g.c * g.kh * g.kw, `${name}w`);
  const gy = randomMatrix(g.n * g.outC, g.oh * g.ow, `${name}gy`);
  const flops = 2 * g.n * g.outC * g.oh * g.ow * g.c * g.kh * g.kw;
  report(`${name} fwd`, flops, () => conv2d(x, w, g));
  report(`${name} dx`, flops, () => conv2dBackwardInput(gy, w, g));
  report(`${name} dW`, flops, () => conv2dBackwardWeight(gy, x, g));
  const pg: Conv2dGeometry = { ...g, c: g.outC, h: g.oh, w: g.ow, kh: 2, kw: 2, sh: 2, sw: 2, oh: g.oh >> 1, ow: g.ow >> 1 };
  const px = randomMatrix(g.n * g.outC, g.oh * g.ow, `${name}p`);
  report(`${name} maxpool`, g.n * g.outC * g.oh * g.ow, () => maxPool2d(px, pg));
}
