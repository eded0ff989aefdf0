/**
 * The CPU backend's float storage: Float32Array, or Float64Array in its float64 variant (the gradient check's
 * numeric side, engine/check/). Every kernel is written once over both and allocates its result at the
 * precision of its (first float) input, so a float64 forward stays float64 from the parameters to the loss,
 * and the float32 path allocates exactly the Float32Arrays it always did.
 */
export type Floats = Float32Array | Float64Array;

/** A zeroed float array of n elements at the precision of `like`. */
export function floatsLike(like: Floats, n: number): Floats {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** `values` copied into a float array at the precision of `like` (the float64 accumulators' results). */
export function floatsFrom(like: Floats, values: ArrayLike<number>): Floats {
  return like instanceof Float64Array ? Float64Array.from(values) : Float32Array.from(values);
}
