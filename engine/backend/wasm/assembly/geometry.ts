// The geometry block the conv and pooling kernels read: 13 i32 in the order of the engine's Conv2dGeometry.

export const G_N = 0, G_C = 1, G_H = 2, G_W = 3, G_OC = 4, G_KH = 5, G_KW = 6, G_SH = 7, G_SW = 8, G_PH = 9, G_PW = 10, G_OH = 11, G_OW = 12;

// @ts-ignore: decorator
@inline
export function gi(g: usize, field: i32): i32 {
  return load<i32>(g + (<usize>field << 2));
}

/** First output index o ≥ 0 with o·s − p + k ≥ 0 (the window's tap k inside the image from the top/left). */
// @ts-ignore: decorator
@inline
export function firstInside(p: i32, k: i32, s: i32): i32 {
  const d = p - k;
  return d <= 0 ? 0 : (d + s - 1) / s;
}

/** One past the last output index o with o·s − p + k ≤ size − 1, clamped to [lo, count]. */
// @ts-ignore: decorator
@inline
export function endInside(size: i32, p: i32, k: i32, s: i32, lo: i32, count: i32): i32 {
  const d = size - 1 + p - k;
  const e = d < 0 ? 0 : d / s + 1;
  return max(lo, min(count, e));
}

