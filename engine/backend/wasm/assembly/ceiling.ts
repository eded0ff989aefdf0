import { madd } from './simd';

/**
 * The machine's multiply-add ceiling for this module's flavour: `iters` rounds of 12 independent f32x4
 * multiply-adds on registers only (no memory traffic), 96 flops a round. Returns a lane so nothing is dead code.
 */
export function ceiling(iters: i32, seed: f32): f32 {
  const x = f32x4.splat(seed), y = f32x4.splat(0.999);
  let c0 = x, c1 = x, c2 = x, c3 = x, c4 = x, c5 = x, c6 = x, c7 = x, c8 = x, c9 = x, c10 = x, c11 = x;
  for (let i = 0; i < iters; i++) {
    c0 = madd(c0, y, x); c1 = madd(c1, y, x); c2 = madd(c2, y, x); c3 = madd(c3, y, x);
    c4 = madd(c4, y, x); c5 = madd(c5, y, x); c6 = madd(c6, y, x); c7 = madd(c7, y, x);
    c8 = madd(c8, y, x); c9 = madd(c9, y, x); c10 = madd(c10, y, x); c11 = madd(c11, y, x);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}
