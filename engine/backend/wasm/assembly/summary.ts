// The live view's tensor summary (engine/train/stats.ts summarize): count, sum, range, then the squares about the
// mean and the histogram of the finite values. Everything in float64 from the float32 values, bins by the same
// float64 arithmetic as the TypeScript function, so both put every value in the same bin.

// @ts-ignore: decorator
@inline
function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline
function hi(v: v128): v128 { return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)); }

/** out (float64): [count, sum, min, max] of the finite values of x[0..n). */
export function summaryRange(x: usize, n: i32, out: usize): void {
  const inf = f32x4.splat(Infinity), ninf = f32x4.splat(-Infinity), zero = f32x4.splat(0);
  let count = i32x4.splat(0);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let mn = inf, mx = ninf;
  const end = x + (<usize>(n & ~3) << 2);
  let p = x;
  for (; p < end; p += 16) {
    const v = v128.load(p);
    // v - v is 0 exactly for finite v (NaN for NaN and ±Infinity): the lanes to count.
    const finite = f32x4.eq(f32x4.sub(v, v), zero);
    const kept = v128.and(v, finite);
    count = i32x4.sub(count, finite);
    s0 = f64x2.add(s0, lo(kept));
    s1 = f64x2.add(s1, hi(kept));
    mn = f32x4.min(mn, v128.bitselect(v, inf, finite));
    mx = f32x4.max(mx, v128.bitselect(v, ninf, finite));
  }
  let c = i32x4.extract_lane(count, 0) + i32x4.extract_lane(count, 1) + i32x4.extract_lane(count, 2) + i32x4.extract_lane(count, 3);
  let sum = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  let lo_ = min(min(f32x4.extract_lane(mn, 0), f32x4.extract_lane(mn, 1)), min(f32x4.extract_lane(mn, 2), f32x4.extract_lane(mn, 3)));
  let hi_ = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
  for (; p < x + (<usize>n << 2); p += 4) {
    const v = load<f32>(p);
    if (v - v != 0) continue;
    c++;
    sum += <f64>v;
    lo_ = min(lo_, v);
    hi_ = max(hi_, v);
  }
  store<f64>(out, <f64>c);
  store<f64>(out, sum, 8);
  store<f64>(out, <f64>lo_, 16);
  store<f64>(out, <f64>hi_, 24);
}

/**
 * Σ (v − mean)² over the finite values, returned; `counts` (float64 × bins) += the histogram from lo, `scale` =
 * bins / (max − min) (0 when max = min: everything in the last bin).
 */
export function summaryHistogram(x: usize, n: i32, mean: f64, lo_: f64, scale: f64, bins: i32, counts: usize): f64 {
  let squares: f64 = 0;
  const last = bins - 1;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    if (v - v != 0) continue;
    const d = v - mean;
    squares += d * d;
    let b = scale > 0 ? <i32>((v - lo_) * scale) : last;
    if (b > last) b = last;
    const at = counts + (<usize>b << 3);
    store<f64>(at, load<f64>(at) + 1);
  }
  return squares;
}
