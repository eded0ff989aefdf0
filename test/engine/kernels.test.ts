/**
 * The CPU backend's matmul and conv kernels against naive float64 loops: random sizes including odd and
 * degenerate ones, every transpose combination, batches, strides and padding. Tolerance 1e-4 relative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../engine';
import type { Conv2dGeometry } from '../../engine/backend/backend';
import { gemmAcc, matmul } from '../../engine/backend/cpu/matmul';
import { avgPool2d, conv2d, conv2dBackwardInput, conv2dBackwardWeight, maxPool2d, maxPool2dBackward } from '../../engine/backend/cpu/conv';

const rng = new Random(7, 'kernels-test');

function rand(n: number, zeroFraction = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform() < zeroFraction ? 0 : rng.uniformRange(-1, 1);
  return out;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 1e-4): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]));
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
    }
  }
}

/** Naive float64 op(A)·op(B) for stored A [m,k] or [k,m] (transA) and B [k,n] or [n,k] (transB). */
function naiveMatmul(a: Float32Array, b: Float32Array, batch: number, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * m * k,
      bo = bi * k * n,
      co = bi * m * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ao + (tA ? p * m + i : i * k + p)] * b[bo + (tB ? j * k + p : p * n + j)];
        c[co + i * n + j] = s;
      }
  }
  return c;
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 17, 33, 65];

test('matmul matches a naive float64 product for odd sizes and every transpose combination', () => {
  let cases = 0;
  for (const tA of [false, true])
    for (const tB of [false, true])
      for (let t = 0; t < 40; t++) {
        const pick = () => SIZES[rng.int(SIZES.length)];
        const m = pick(),
          n = pick(),
          k = pick();
        const batch = 1 + rng.int(3);
        const a = rand(batch * m * k, t % 3 === 0 ? 0.5 : 0);
        const b = rand(batch * k * n);
        const got = matmul(a, b, batch, m, n, k, tA, tB);
        assertClose(got, naiveMatmul(a, b, batch, m, n, k, tA, tB), `matmul b${batch} ${m}×${k}·${k}×${n} tA=${tA} tB=${tB}`);
        cases++;
      }
  assert.equal(cases, 160);
});

test('matmul handles sizes that cross the cache blocks (long k, tall m, wide n)', () => {
  for (const [m, n, k] of [
    [130, 67, 300],
    [3, 2100, 5],
    [257, 9, 513],
    [64, 256, 784],
  ]) {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = rand(m * k),
        b = rand(k * n);
      assertClose(matmul(a, b, 1, m, n, k, tA, tB), naiveMatmul(a, b, 1, m, n, k, tA, tB), `matmul ${m}×${k}·${k}×${n} tA=${tA} tB=${tB}`);
    }
  }
});

test('matmul with an empty inner dimension gives zeros', () => {
  assert.deepEqual(Array.from(matmul(new Float32Array(0), new Float32Array(0), 2, 2, 3, 0, false, true)), new Array(12).fill(0));
});

test('gemmAcc accumulates into C at offsets', () => {
  const m = 5,
    n = 17,
    k = 9;
  const a = rand(3 + m * k),
    b = rand(2 + k * n);
  const c0 = rand(1 + m * n);
  const c = c0.slice();
  gemmAcc(a, 3, b, 2, c, 1, m, n, k);
  const prod = naiveMatmul(a.subarray(3), b.subarray(2), 1, m, n, k, false, false);
  const want = Array.from(c0, (v, i) => (i === 0 ? v : v + prod[i - 1]));
  assertClose(c, want, 'gemmAcc');
});

// ------------------------------------------------------------------ convolution

function geom(
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
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1,
    ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  return { n, c, h, w, outC, kh, kw, sh, sw, ph, pw, oh, ow };
}

/** Naive float64 forward conv; calls visit(xIndex, wIndex, yIndex) for every multiply of the definition. */
function forEachTap(g: Conv2dGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.n; b++)
    for (let o = 0; o < g.outC; o++)
      for (let oy = 0; oy < g.oh; oy++)
        for (let ox = 0; ox < g.ow; ox++) {
          const yi = ((b * g.outC + o) * g.oh + oy) * g.ow + ox;
          for (let ci = 0; ci < g.c; ci++)
            for (let ky = 0; ky < g.kh; ky++)
              for (let kx = 0; kx < g.kw; kx++) {
                const iy = oy * g.sh - g.ph + ky,
                  ix = ox * g.sw - g.pw + kx;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                visit(((b * g.c + ci) * g.h + iy) * g.w + ix, ((o * g.c + ci) * g.kh + ky) * g.kw + kx, yi);
              }
        }
}

const CONV_CASES: Conv2dGeometry[] = [
  geom(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
  geom(2, 1, 28, 28, 8, 3, 3, 1, 1, 0, 0),
  geom(3, 8, 13, 13, 16, 3, 3, 1, 1, 0, 0),
  geom(2, 3, 9, 7, 5, 3, 3, 2, 2, 1, 1),
  geom(1, 2, 8, 11, 3, 5, 3, 1, 2, 2, 0),
  geom(2, 4, 6, 6, 7, 1, 1, 1, 1, 0, 0),
  geom(1, 3, 17, 5, 4, 3, 2, 3, 1, 2, 1),
  geom(2, 5, 4, 4, 3, 4, 4, 1, 1, 0, 0),
  geom(1, 2, 5, 5, 2, 3, 3, 1, 1, 3, 3),
  geom(4, 6, 10, 10, 65, 3, 3, 1, 1, 1, 1),
];

const label = (g: Conv2dGeometry) => `n${g.n} c${g.c} ${g.h}×${g.w} → o${g.outC} k${g.kh}×${g.kw} s${g.sh},${g.sw} p${g.ph},${g.pw}`;

test('conv2d forward, input gradient and weight gradient match naive float64 loops', () => {
  for (const g of CONV_CASES) {
    const x = rand(g.n * g.c * g.h * g.w, 0.2);
    const w = rand(g.outC * g.c * g.kh * g.kw);
    const gy = rand(g.n * g.outC * g.oh * g.ow, 0.5);
    const y = new Float64Array(gy.length),
      gx = new Float64Array(x.length),
      gw = new Float64Array(w.length);
    forEachTap(g, (xi, wi, yi) => {
      y[yi] += x[xi] * w[wi];
      gx[xi] += w[wi] * gy[yi];
      gw[wi] += x[xi] * gy[yi];
    });
    assertClose(conv2d(x, w, g), y, `conv2d ${label(g)}`);
    assertClose(conv2dBackwardInput(gy, w, g), gx, `conv2dBackwardInput ${label(g)}`);
    assertClose(conv2dBackwardWeight(gy, x, g), gw, `conv2dBackwardWeight ${label(g)}`);
  }
});

test('maxPool2d and its backward match a naive reference, first maximum wins', () => {
  const cases = [geom(2, 3, 8, 8, 3, 2, 2, 2, 2, 0, 0), geom(1, 2, 7, 9, 2, 3, 3, 2, 1, 1, 1), geom(2, 1, 5, 5, 1, 2, 2, 2, 2, 0, 0)];
  for (const g of cases) {
    const x = rand(g.n * g.c * g.h * g.w);
    // Ties: quantise some values so equal maxima occur.
    for (let i = 0; i < x.length; i += 3) x[i] = Math.round(x[i] * 2) / 2;
    const { out, argmax } = maxPool2d(x, g);
    const gy = rand(out.length);
    const gx = new Float64Array(x.length);
    let o = 0;
    for (let p = 0; p < g.n * g.c; p++)
      for (let oy = 0; oy < g.oh; oy++)
        for (let ox = 0; ox < g.ow; ox++, o++) {
          let best = -Infinity,
            bi = -1;
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.ph + ky,
                ix = ox * g.sw - g.pw + kx;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              const idx = (p * g.h + iy) * g.w + ix;
              if (bi < 0 || x[idx] > best) {
                best = x[idx];
                bi = idx;
              }
            }
          assert.equal(out[o], best, `maxPool2d ${label(g)} out ${o}`);
          assert.equal(argmax[o], bi, `maxPool2d ${label(g)} argmax ${o}`);
          gx[bi] += gy[o];
        }
    assertClose(maxPool2dBackward(gy, argmax, g), gx, `maxPool2dBackward ${label(g)}`);
  }
});

test('maxPool2d: ties pick the first window element, NaN wins', () => {
  const g = geom(1, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0);
  const x = new Float32Array(16); // all zeros: every window is a tie, as after a ReLU
  x[5] = NaN; // window (0, 0): row-major order 0, 1, 4, 5
  x[10] = 1;
  x[11] = 1; // window (1, 1): 10, 11, 14, 15 — the first 1 wins
  const { out, argmax } = maxPool2d(x, g);
  assert.ok(Number.isNaN(out[0]));
  assert.deepEqual(Array.from(argmax), [5, 2, 8, 10]);
  assert.deepEqual(Array.from(out.subarray(1)), [0, 0, 1]);
});

test('avgPool2d counts padding in the divisor', () => {
  const g = geom(1, 1, 3, 3, 1, 2, 2, 2, 2, 1, 1);
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assertClose(avgPool2d(x, g), [1 / 4, (2 + 3) / 4, (4 + 7) / 4, (5 + 6 + 8 + 9) / 4], 'avgPool2d');
});
