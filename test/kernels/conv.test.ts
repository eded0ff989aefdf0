/**
 * The WebAssembly conv2d kernels (forward, input and weight gradients) against the TypeScript ones (themselves
 * checked against direct loops and PyTorch elsewhere): odd sizes, kernels 1, 2, 3, 5 and non-square, strides
 * 1-3, padding 0-2, channels 1, 3, 8, batches 1 and 2, and batches big enough to be split over threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry } from '../../engine/backend/backend';
import * as reference from '../../engine/backend/cpu/conv';
import { CONV_SPLIT_MIN_MACS } from '../../engine/backend/wasm/kernels/conv';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../../engine/backend/wasm/kernels';
import { assertClose, flavours, rand } from './fast';

function geometry(
  n: number,
  c: number,
  h: number,
  w: number,
  outC: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
): Conv2dGeometry {
  return { n, c, h, w, outC, kh, kw, sh, sw, ph, pw, oh: Math.floor((h + 2 * ph - kh) / sh) + 1, ow: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

const cases: Conv2dGeometry[] = [];
for (const [h, w] of [
  [1, 1],
  [3, 3],
  [17, 17],
  [5, 9],
]) {
  for (const [kh, kw] of [
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 5],
    [1, 3],
    [3, 2],
  ]) {
    for (const s of [1, 2, 3]) {
      for (const p of [0, 1, 2]) {
        if (h + 2 * p < kh || w + 2 * p < kw) continue;
        cases.push(geometry(1 + ((h + kh + s) % 2), [1, 3, 8][(kh + s + p) % 3], h, w, [1, 3, 8][(kw + p) % 3], kh, kw, s, s, p, p));
      }
    }
  }
}
// Different strides and padding per axis; the bench CNN's two layers; batches that the threads split.
cases.push(geometry(2, 3, 9, 7, 5, 3, 3, 1, 2, 2, 0), geometry(2, 3, 7, 9, 4, 2, 3, 3, 1, 0, 1));
cases.push(geometry(32, 1, 28, 28, 8, 3, 3, 1, 1, 0, 0), geometry(32, 8, 13, 13, 16, 3, 3, 1, 1, 0, 0), geometry(7, 8, 17, 17, 8, 5, 5, 2, 2, 2, 2));
// Over the threads' threshold (8 M multiply-adds), with a batch that does not divide evenly.
const SPLIT = geometry(9, 16, 24, 24, 24, 3, 3, 1, 1, 1, 1);
cases.push(SPLIT);

const name = (g: Conv2dGeometry) => `n${g.n} c${g.c} ${g.h}×${g.w} → ${g.outC}, k${g.kh}×${g.kw} s${g.sh},${g.sw} p${g.ph},${g.pw}`;

for (const f of flavours()) {
  if (f.kernels.threads > 1) {
    test(`conv2d (${f.name}) runs the largest case on the worker threads`, () => {
      const macs = SPLIT.n * SPLIT.outC * SPLIT.oh * SPLIT.ow * SPLIT.c * SPLIT.kh * SPLIT.kw;
      assert.notEqual(f.kernels.forWork(macs, CONV_SPLIT_MIN_MACS), f.kernels);
    });
  }
  test(`conv2d and its gradients (${f.name}) equal the TypeScript kernels`, () => {
    for (const g of cases) {
      const x = rand(g.n * g.c * g.h * g.w),
        wt = rand(g.outC * g.c * g.kh * g.kw),
        gy = rand(g.n * g.outC * g.oh * g.ow);
      const plain = reference.conv2d(x, wt, g);
      assertClose(conv2d(f.kernels, x, wt, g, null), plain, `forward ${name(g)}`);
      // With a bias: both kernels against the plain convolution plus the bias, added by hand.
      const bias = rand(g.outC),
        ohw = g.oh * g.ow;
      const biased = plain.map((v, i) => v + bias[Math.floor(i / ohw) % g.outC]);
      assertClose(reference.conv2d(x, wt, g, bias), biased, `forward with bias, TypeScript ${name(g)}`);
      assertClose(conv2d(f.kernels, x, wt, g, bias), biased, `forward with bias ${name(g)}`);
      assertClose(conv2dBackwardInput(f.kernels, gy, wt, g), reference.conv2dBackwardInput(gy, wt, g), `input grad ${name(g)}`);
      assertClose(conv2dBackwardWeight(f.kernels, gy, x, g), reference.conv2dBackwardWeight(gy, x, g), `weight grad ${name(g)}`, 1e-4, 1e-4);
    }
  });
}
