// One fused multiply-add for every kernel: relaxed SIMD's f32x4.relaxed_madd where the module is built with it
// (one FMA instruction on x64 and arm64), else a multiply and an add (plain SIMD, every runtime with SIMD).
// The build compiles the same sources twice, with and without --enable relaxed-simd.

// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
