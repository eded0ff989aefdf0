// Reductions: the bias gradients' sums (sumTo), the gradient-norm's sum of squares, the non-finite check, and
// the bias add of a Linear layer. Sums accumulate in float64 lanes, as the TypeScript kernels do, so a large
// float32 tensor neither loses its small terms nor overflows to Infinity.

// @ts-ignore: decorator
@inline
function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline
function hi(v: v128): v128 { return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)); }

/**
 * out[m] = Σ over outer and inner of x[outer, mid, inner]; acc: mid float64s of scratch. inner = 1 is a bias
 * over the last axis ([rows, cols] → [cols], vectorised along the columns), inner > 1 a per-channel bias
 * ([n, c, hw] → [c], vectorised along hw).
 */
export function sumBlock(x: usize, outer: i32, mid: i32, inner: i32, acc: usize, out: usize): void {
  memory.fill(acc, 0, <usize>mid << 3);
  if (inner == 1) {
    for (let r = 0; r < outer; r++) {
      const row = x + (<usize>(r * mid) << 2);
      let m = 0;
      for (; m + 4 <= mid; m += 4) {
        const v = v128.load(row + (<usize>m << 2));
        const a = acc + (<usize>m << 3);
        v128.store(a, f64x2.add(v128.load(a), lo(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), hi(v)), 16);
      }
      for (; m < mid; m++) {
        const a = acc + (<usize>m << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>m << 2)));
      }
    }
  } else {
    let p = x;
    for (let r = 0; r < outer; r++) {
      for (let m = 0; m < mid; m++) {
        let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
        let k = 0;
        for (; k + 4 <= inner; k += 4) {
          const v = v128.load(p + (<usize>k << 2));
          s0 = f64x2.add(s0, lo(v));
          s1 = f64x2.add(s1, hi(v));
        }
        const s = f64x2.add(s0, s1);
        let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
        for (; k < inner; k++) sum += <f64>load<f32>(p + (<usize>k << 2));
        const a = acc + (<usize>m << 3);
        store<f64>(a, load<f64>(a) + sum);
        p += <usize>inner << 2;
      }
    }
  }
  for (let m = 0; m < mid; m++) store<f32>(out + (<usize>m << 2), <f32>load<f64>(acc + (<usize>m << 3)));
}

/** Σ x², each square and the sum in float64. */
export function sumSquares(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = lo(v), b = hi(v);
    s0 = f64x2.add(s0, f64x2.mul(a, a));
    s1 = f64x2.add(s1, f64x2.mul(b, b));
  }
  const s = f64x2.add(s0, s1);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    sum += v * v;
  }
  return sum;
}

/** 1 when none of the n floats is NaN or ±Infinity (exponent bits all ones), else 0. */
export function allFinite(x: usize, n: i32): i32 {
  const expMask = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    bad = v128.or(bad, i32x4.eq(v128.and(v128.load(x + (<usize>i << 2)), expMask), expMask));
    // Stop early at the first bad block of 4 KiB.
    if ((i & 1023) == 1020 && v128.any_true(bad)) return 0;
  }
  if (v128.any_true(bad)) return 0;
  for (; i < n; i++) if ((load<i32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return 0;
  return 1;
}

/** x[r, :] += bias for each of `rows` rows of `cols`, in place. */
export function addRowVector(x: usize, bias: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(bias + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, load<f32>(row + o) + load<f32>(bias + o));
    }
  }
}
