// Elementwise kernels: unary ops and their gradients, the four binary ops (same shape, or one operand broadcast
// along a block of dims), axpby, scale. Every loop runs four lanes at a time, then a scalar tail. The op codes
// are the JavaScript side's (engine/backend/wasm/kernels/elementwise.ts); an op's branch is taken once per
// call, outside the loop. Results equal the TypeScript kernels' exactly except where a float64 constant is
// rounded to float32 first (leakyRelu's slope, scale's and axpby's factors): one rounding more, within 1 ulp.

import { madd } from './simd';

const RELU: i32 = 0, LEAKY: i32 = 1, NEG: i32 = 2, ABS: i32 = 3, SQUARE: i32 = 4;
const ADD: i32 = 0, SUB: i32 = 1, MUL: i32 = 2, DIV: i32 = 3;

// @ts-ignore: decorator
@inline
function unaryV(op: i32, v: v128, p: v128): v128 {
  // relu: max propagates NaN (as the TypeScript kernel and torch.relu) and max(-0, 0) is +0.
  if (op == RELU) return f32x4.max(v, f32x4.splat(0));
  if (op == LEAKY) return v128.bitselect(v, f32x4.mul(v, p), f32x4.gt(v, f32x4.splat(0)));
  if (op == NEG) return f32x4.neg(v);
  if (op == ABS) return f32x4.abs(v);
  return f32x4.mul(v, v);
}

// @ts-ignore: decorator
@inline
function unaryS(op: i32, v: f32, p: f32): f32 {
  if (op == RELU) return v > 0 || v != v ? v : 0;
  if (op == LEAKY) return v > 0 ? v : v * p;
  if (op == NEG) return -v;
  if (op == ABS) return abs<f32>(v);
  return v * v;
}

// @ts-ignore: decorator
@inline
function unaryLoop(op: i32, x: usize, y: usize, n: i32, param: f32): void {
  const p = f32x4.splat(param);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, unaryV(op, v128.load(x + o), p));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, unaryS(op, load<f32>(x + o), param));
  }
}

/** y = op(x) for n floats. */
export function unary(op: i32, x: usize, y: usize, n: i32, param: f32): void {
  if (op == RELU) unaryLoop(RELU, x, y, n, param);
  else if (op == LEAKY) unaryLoop(LEAKY, x, y, n, param);
  else if (op == NEG) unaryLoop(NEG, x, y, n, param);
  else if (op == ABS) unaryLoop(ABS, x, y, n, param);
  else unaryLoop(SQUARE, x, y, n, param);
}

// @ts-ignore: decorator
@inline
function backwardV(op: i32, x: v128, gy: v128, p: v128): v128 {
  const zero = f32x4.splat(0);
  // relu: zero where x <= 0, the gradient elsewhere (NaN x included), as PyTorch's threshold_backward.
  if (op == RELU) return v128.andnot(gy, f32x4.le(x, zero));
  if (op == LEAKY) return v128.bitselect(gy, f32x4.mul(gy, p), f32x4.gt(x, zero));
  if (op == NEG) return f32x4.neg(gy);
  if (op == ABS) {
    // gy · sign(x), sign(±0) = ±0 and sign(NaN) = NaN as Math.sign.
    const s = v128.bitselect(f32x4.splat(1), v128.bitselect(f32x4.splat(-1), x, f32x4.lt(x, zero)), f32x4.gt(x, zero));
    return f32x4.mul(gy, s);
  }
  return f32x4.mul(f32x4.add(gy, gy), x);
}

// @ts-ignore: decorator
@inline
function backwardS(op: i32, x: f32, gy: f32, p: f32): f32 {
  if (op == RELU) return x <= 0 ? 0 : gy;
  if (op == LEAKY) return x > 0 ? gy : gy * p;
  if (op == NEG) return -gy;
  if (op == ABS) return gy * (x > 0 ? 1 : x < 0 ? -1 : x);
  return (gy + gy) * x;
}

// @ts-ignore: decorator
@inline
function backwardLoop(op: i32, x: usize, gy: usize, g: usize, n: i32, param: f32): void {
  const p = f32x4.splat(param);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(g + o, backwardV(op, v128.load(x + o), v128.load(gy + o), p));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(g + o, backwardS(op, load<f32>(x + o), load<f32>(gy + o), param));
  }
}

/** g = op'(x) · gy for n floats (the ops here need x only, not y). */
export function unaryBackward(op: i32, x: usize, gy: usize, g: usize, n: i32, param: f32): void {
  if (op == RELU) backwardLoop(RELU, x, gy, g, n, param);
  else if (op == LEAKY) backwardLoop(LEAKY, x, gy, g, n, param);
  else if (op == NEG) backwardLoop(NEG, x, gy, g, n, param);
  else if (op == ABS) backwardLoop(ABS, x, gy, g, n, param);
  else backwardLoop(SQUARE, x, gy, g, n, param);
}

// @ts-ignore: decorator
@inline
function binV(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

// @ts-ignore: decorator
@inline
function binS(op: i32, a: f32, b: f32): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  return a / b;
}

// @ts-ignore: decorator
@inline
function sameLoop(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, binV(op, v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, binS(op, load<f32>(a + o), load<f32>(b + o)));
  }
}

/** out = a ∘ b, n floats each. */
export function binary(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  if (op == ADD) sameLoop(ADD, a, b, out, n);
  else if (op == SUB) sameLoop(SUB, a, b, out, n);
  else if (op == MUL) sameLoop(MUL, a, b, out, n);
  else sameLoop(DIV, a, b, out, n);
}

/**
 * The broadcast as the CPU backend's middleBlock finds it: `full` is [outer, mid, inner], `small` is [mid]
 * broadcast over outer and inner. out = full ∘ small, or small ∘ full when `swap`. inner = 1 is a row vector
 * over the last axis (vectorised along mid), inner > 1 a per-channel value (splat, vectorised along inner).
 */
// @ts-ignore: decorator
@inline
function blockLoop(op: i32, swap: bool, full: usize, small: usize, out: usize, outer: i32, mid: i32, inner: i32): void {
  if (inner == 1) {
    for (let r = 0; r < outer; r++) {
      const row = <usize>(r * mid) << 2;
      let m = 0;
      for (; m + 4 <= mid; m += 4) {
        const o = <usize>m << 2;
        const f = v128.load(full + row + o), s = v128.load(small + o);
        v128.store(out + row + o, swap ? binV(op, s, f) : binV(op, f, s));
      }
      for (; m < mid; m++) {
        const o = <usize>m << 2;
        const f = load<f32>(full + row + o), s = load<f32>(small + o);
        store<f32>(out + row + o, swap ? binS(op, s, f) : binS(op, f, s));
      }
    }
    return;
  }
  let base: usize = 0;
  for (let r = 0; r < outer; r++) {
    for (let m = 0; m < mid; m++) {
      const s = load<f32>(small + (<usize>m << 2));
      const sv = f32x4.splat(s);
      let k = 0;
      for (; k + 4 <= inner; k += 4) {
        const o = base + (<usize>k << 2);
        const f = v128.load(full + o);
        v128.store(out + o, swap ? binV(op, sv, f) : binV(op, f, sv));
      }
      for (; k < inner; k++) {
        const o = base + (<usize>k << 2);
        const f = load<f32>(full + o);
        store<f32>(out + o, swap ? binS(op, s, f) : binS(op, f, s));
      }
      base += <usize>inner << 2;
    }
  }
}

export function binaryBlock(op: i32, swap: bool, full: usize, small: usize, out: usize, outer: i32, mid: i32, inner: i32): void {
  if (swap) {
    if (op == SUB) blockLoop(SUB, true, full, small, out, outer, mid, inner);
    else if (op == DIV) blockLoop(DIV, true, full, small, out, outer, mid, inner);
    else if (op == ADD) blockLoop(ADD, false, full, small, out, outer, mid, inner);
    else blockLoop(MUL, false, full, small, out, outer, mid, inner);
    return;
  }
  if (op == ADD) blockLoop(ADD, false, full, small, out, outer, mid, inner);
  else if (op == SUB) blockLoop(SUB, false, full, small, out, outer, mid, inner);
  else if (op == MUL) blockLoop(MUL, false, full, small, out, outer, mid, inner);
  else blockLoop(DIV, false, full, small, out, outer, mid, inner);
}

/** out = alpha·a + beta·b. */
export function axpby(a: usize, alpha: f32, b: usize, beta: f32, out: usize, n: i32): void {
  const av = f32x4.splat(alpha), bv = f32x4.splat(beta);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, madd(av, v128.load(a + o), f32x4.mul(bv, v128.load(b + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, alpha * load<f32>(a + o) + beta * load<f32>(b + o));
  }
}

/** out = alpha·x. */
export function scale(x: usize, alpha: f32, out: usize, n: i32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(x + o), av));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * alpha);
  }
}
