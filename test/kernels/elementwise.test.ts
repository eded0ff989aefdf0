/**
 * The WebAssembly elementwise kernels and reductions against the CPU backend's TypeScript ones: every op they
 * take, sizes around the 4-lane SIMD body and its tail, each broadcast form the backend routes to them, and
 * NaN/Infinity inputs. The routing threshold is set to 0 so small sizes run in WebAssembly too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BinaryOp, UnaryOp } from '../../engine/backend/backend';
import * as ew from '../../engine/backend/cpu/elementwise';
import { CpuBackend } from '../../engine/backend/cpu';
import * as wasm from '../../engine/backend/wasm/kernels';
import { flavours, rand } from './fast';
import { assertSame } from './same';

const SIZES = [0, 1, 3, 5, 17, 129, 1031];
const saved = wasm.routing.minElements;
before(() => {
  wasm.routing.minElements = 0;
});
after(() => {
  wasm.routing.minElements = saved;
});

/** Random values with zeros, ±0, NaN and ±Infinity sprinkled in (where the size allows). */
function withSpecials(n: number): Float32Array {
  const x = rand(n, -3, 3);
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e-40];
  for (let i = 0; i < specials.length && i * 7 + 2 < n; i++) x[i * 7 + 2] = specials[i];
  if (n > 0) x[n - 1] = NaN; // in the scalar tail for most sizes
  return x;
}

const ts = new CpuBackend();
const f32 = (s: unknown) => s as Float32Array;
const st = (a: Float32Array) => a as never;

const UNARY: [UnaryOp, number][] = [
  ['relu', 0],
  ['leakyRelu', 0.01],
  ['neg', 0],
  ['abs', 0],
  ['square', 0],
];

for (const f of flavours()) {
  const k = f.kernels;

  test(`unary and unaryBackward (${f.name}) equal the TypeScript kernels, NaN and Infinity included`, () => {
    for (const n of SIZES) {
      for (const [op, param] of UNARY) {
        const x = withSpecials(n),
          gy = rand(n);
        // leakyRelu's slope is rounded to float32 first: within an ulp.
        const tol = op === 'leakyRelu' ? 1e-6 : 0;
        const y = ew.unary(op, x, param);
        assertSame(wasm.unary(k, op, x, param), y, `${op}(x), n=${n}`, tol, 1e-30);
        assertSame(wasm.unaryBackward(k, op, x, gy, param), ew.unaryBackward(op, x, y, gy, param), `${op}'(x)·gy, n=${n}`, tol, 1e-30);
      }
    }
    // relu(NaN) is NaN and relu'(NaN) passes the gradient, as torch's relu and threshold_backward.
    const x = new Float32Array([NaN, -1, 0, -0, 2, NaN, -Infinity, Infinity]);
    assertSame(wasm.unary(k, 'relu', x), [NaN, 0, 0, 0, 2, NaN, 0, Infinity], 'relu of specials');
    assertSame(wasm.unaryBackward(k, 'relu', x, new Float32Array(8).fill(5)), [5, 0, 0, 0, 5, 5, 0, 5], "relu' of specials");
  });

  test(`unary (${f.name}) leaves the transcendental ops to TypeScript`, () => {
    for (const op of ['exp', 'tanh', 'sigmoid', 'gelu', 'log'] as UnaryOp[]) assert.equal(wasm.unary(k, op, rand(64)), null, op);
  });

  test(`binary (${f.name}) equals the TypeScript kernel for same shapes and each broadcast form`, () => {
    const shapes: [number[], number[]][] = [];
    for (const n of SIZES) shapes.push([[n], [n]]);
    for (const c of [1, 3, 5, 17, 129])
      shapes.push(
        [[7, c], [c]],
        [
          [3, c],
          [1, c],
        ],
      ); // a bias row over the last axis
    for (const hw of [1, 3, 5, 17, 129])
      shapes.push(
        [
          [2, 3, hw],
          [3, 1],
        ],
        [
          [2, 5, hw],
          [1, 5, 1],
        ],
      ); // per channel
    for (const n of [1, 3, 17, 1031]) shapes.push([[n], [1]], [[2, n], []]); // a scalar
    shapes.push([
      [4, 3, 5],
      [4, 1, 1],
    ]); // a keepDim reduction's result
    for (const [big, small] of shapes) {
      for (const op of ['add', 'sub', 'mul', 'div'] as BinaryOp[]) {
        for (const swap of [false, true]) {
          const [aShape, bShape] = swap ? [small, big] : [big, small];
          const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
          const a = withSpecials(size(aShape)),
            b = rand(size(bShape), 0.5, 2);
          const want = ew.binary(op, a, aShape, b, bShape, big);
          assertSame(wasm.binary(k, op, a, aShape, b, bShape, big), want, `[${aShape}] ${op} [${bShape}]`);
        }
      }
    }
    // The general NumPy broadcast stays on TypeScript.
    assert.equal(wasm.binary(k, 'add', rand(3), [3, 1], rand(4), [1, 4], [3, 4]), null);
  });

  test(`axpby and scale (${f.name}) equal the TypeScript kernels within float32 rounding`, () => {
    for (const n of SIZES) {
      const a = rand(n),
        b = rand(n);
      for (const [alpha, beta] of [
        [1, 1],
        [0.9, 0.1],
        [-0.3, 2.5],
      ]) {
        assertSame(wasm.axpby(k, a, alpha, b, beta, n), f32(ts.axpby(st(a), alpha, st(b), beta, n)), `axpby(${alpha}, ${beta}) n=${n}`, 1e-6, 1e-6);
      }
      assertSame(wasm.scale(k, a, 0.1, n), f32(ts.scale(st(a), 0.1, n)), `scale n=${n}`, 1e-6, 1e-30);
    }
  });

  test(`sumTo (${f.name}) equals the TypeScript reduction for the bias-gradient forms`, () => {
    const cases: [number[], number[]][] = [];
    for (const rows of [1, 3, 64])
      for (const cols of [1, 3, 5, 17, 129])
        cases.push(
          [[rows, cols], [cols]],
          [
            [rows, cols],
            [1, cols],
          ],
        );
    for (const hw of [1, 3, 5, 17, 129])
      cases.push(
        [
          [2, 3, hw],
          [3, 1],
        ],
        [
          [4, 5, hw],
          [1, 5, 1],
        ],
      );
    for (const n of [1, 3, 17, 1031])
      cases.push(
        [[n], [1]],
        [
          [3, n],
          [1, 1],
        ],
      );
    for (const [shape, to] of cases) {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      if (size(shape) === size(to)) continue; // nothing to sum: the backend copies
      const x = rand(
        shape.reduce((p, d) => p * d, 1),
        -100,
        100,
      );
      assertSame(wasm.sumTo(k, x, shape, to), ew.sumTo(x, shape, to), `sumTo [${shape}] → [${to}]`, 1e-6, 1e-4);
    }
    // A non-block target stays on TypeScript.
    assert.equal(wasm.sumTo(k, rand(24), [2, 3, 4], [2, 1, 4]), null);
  });

  test(`sumSquares (${f.name}) accumulates in float64: no overflow on large float32 values`, () => {
    for (const n of SIZES) {
      const x = rand(n, -5, 5);
      const want = f32(ts.sumSquares(st(x), n))[0];
      assertSame([wasm.sumSquares(k, x, n)!], [want], `sumSquares n=${n}`, 1e-6, 1e-6);
    }
    const big = new Float32Array(1031).fill(3e38);
    const got = wasm.sumSquares(k, big, big.length)!;
    assert.ok(Number.isFinite(got) && Math.abs(got / (1031 * 9e76) - 1) < 1e-6, `sumSquares of 3e38s is ${got}`);
  });

  test(`allFinite (${f.name}) finds a NaN or an infinity wherever it is`, () => {
    for (const n of SIZES.filter((s) => s > 0).concat([5000])) {
      const x = rand(n, -3e38, 3e38);
      assert.equal(wasm.allFinite(k, x, n), true, `finite n=${n}`);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of new Set([0, n >> 1, n - 1])) {
          const y = x.slice();
          y[at] = bad;
          assert.equal(wasm.allFinite(k, y, n), false, `${bad} at ${at} of ${n}`);
        }
      }
    }
    assert.equal(wasm.allFinite(k, new Float32Array(0), 0), true, 'empty');
  });

  test(`addRowVector (${f.name}) adds the bias to each row in place`, () => {
    for (const rows of [1, 3, 64])
      for (const cols of [1, 3, 5, 17, 129]) {
        const x = rand(rows * cols),
          bias = rand(cols);
        const want = f32(ts.addRowVector(st(x.slice()), st(bias), rows, cols));
        assert.ok(wasm.addRowVector(k, x, bias, rows, cols));
        assertSame(x, want, `addRowVector ${rows}×${cols}`);
      }
  });
}
