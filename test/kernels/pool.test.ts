/**
 * The WebAssembly pooling kernels against the TypeScript ones: max pooling's values and argmax must be equal
 * exactly, ties (inputs drawn from a few integers) and NaN included; average pooling (count_include_pad) and
 * both backward passes within float rounding. Windows 1-5 and non-square, strides 1-3, padding up to half
 * the window (PyTorch's limit), odd sizes, and widths that run the four-at-a-time 2×2 path and its tail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conv2dGeometry } from '../../engine/backend/backend';
import * as reference from '../../engine/backend/cpu/conv';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from '../../engine/backend/wasm/kernels';
import { assertClose, flavours, rand } from './fast';

function pool(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number): Conv2dGeometry {
  return { n, c, h, w, outC: c, kh, kw, sh, sw, ph, pw, oh: Math.floor((h + 2 * ph - kh) / sh) + 1, ow: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

const cases: Conv2dGeometry[] = [];
for (const [h, w] of [
  [1, 1],
  [3, 3],
  [17, 17],
  [5, 12],
  [28, 28],
]) {
  for (const [kh, kw] of [
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 5],
    [2, 3],
    [3, 1],
  ]) {
    for (const s of [1, 2, 3]) {
      for (const p of [0, 1, 2]) {
        if (2 * p > kh || 2 * p > kw || h + 2 * p < kh || w + 2 * p < kw) continue;
        cases.push(pool(1 + ((h + s) % 2), [1, 3, 8][(kh + s + p) % 3], h, w, kh, kw, s, s, p, p));
      }
    }
  }
}
cases.push(
  pool(2, 3, 9, 7, 3, 2, 1, 2, 1, 0),
  pool(32, 8, 26, 26, 2, 2, 2, 2, 0, 0),
  pool(2, 16, 11, 11, 2, 2, 2, 2, 0, 0),
  pool(1, 2, 4, 19, 2, 2, 2, 2, 0, 0),
);

const name = (g: Conv2dGeometry) => `n${g.n} c${g.c} ${g.h}×${g.w}, k${g.kh}×${g.kw} s${g.sh},${g.sw} p${g.ph},${g.pw}`;

/** Few distinct values, so windows often hold several equal maxima; some NaN and infinities. */
function tiedInput(size: number, specials: boolean): Float32Array {
  const x = rand(size, 0, 4).map(Math.floor);
  if (specials) for (let i = 0; i < size; i += 7) x[i] = [NaN, -Infinity, Infinity][(i / 7) % 3];
  return x;
}

for (const f of flavours()) {
  test(`max pooling (${f.name}) gives the TypeScript kernel's values and argmax exactly, ties and NaN included`, () => {
    for (const g of cases) {
      for (const specials of [false, true]) {
        const x = tiedInput(g.n * g.c * g.h * g.w, specials);
        const want = reference.maxPool2d(x, g),
          got = maxPool2d(f.kernels, x, g);
        assert.deepEqual(got.argmax, want.argmax, `argmax ${name(g)}${specials ? ' with NaN' : ''}`);
        assert.deepEqual(got.out, want.out, `values ${name(g)}${specials ? ' with NaN' : ''}`);
        const gy = rand(want.out.length);
        assertClose(maxPool2dBackward(f.kernels, gy, want.argmax, g), reference.maxPool2dBackward(gy, want.argmax, g), `backward ${name(g)}`);
      }
    }
  });

  test(`average pooling (${f.name}) and its gradient equal the TypeScript kernels`, () => {
    for (const g of cases) {
      const x = rand(g.n * g.c * g.h * g.w),
        gy = rand(g.n * g.c * g.oh * g.ow);
      assertClose(avgPool2d(f.kernels, x, g), reference.avgPool2d(x, g), `forward ${name(g)}`);
      assertClose(avgPool2dBackward(f.kernels, gy, g), reference.avgPool2dBackward(gy, g), `backward ${name(g)}`);
    }
  });
}
