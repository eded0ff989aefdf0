/** Reductions and the Linear bias add in WebAssembly, as the CPU backend calls them; null: use TypeScript. */
import type { Shape } from '../../../shape';
import { middleBlock } from '../../cpu/elementwise';
import type { WasmKernels } from '../wasmKernels';
import { routing } from './elementwise';

/** x of `shape` summed down to `to` when `to` is one block of `shape`'s dims (a bias gradient), in float64. */
export function sumTo(w: WasmKernels, x: Float32Array, shape: Shape, to: Shape): Float32Array | null {
  const n = x.length;
  let outSize = 1;
  for (const d of to) outSize *= d;
  if (n < routing.minElements || outSize === n) return null;
  const blk = outSize === 1 ? { outer: 1, mid: 1, inner: n } : middleBlock(to, shape);
  if (!blk) return null;
  const mem = w.mem;
  mem.reset();
  const px = mem.put(x),
    acc = mem.alloc(blk.mid * 8),
    out = mem.alloc(blk.mid * 4);
  w.k.sumBlock(px, blk.outer, blk.mid, blk.inner, acc, out);
  return mem.takeF32(out, blk.mid);
}

/** Σ x² over the first `size` values, in float64 (null: too small to pay for the copy). */
export function sumSquares(w: WasmKernels, x: Float32Array, size: number): number | null {
  if (size < routing.minElements) return null;
  const mem = w.mem;
  mem.reset();
  return w.k.sumSquares(mem.put(x.length === size ? x : x.subarray(0, size)), size);
}

export function allFinite(w: WasmKernels, x: Float32Array, size: number): boolean | null {
  if (size < routing.minElements) return null;
  const mem = w.mem;
  mem.reset();
  return w.k.allFinite(mem.put(x.length === size ? x : x.subarray(0, size)), size) === 1;
}

/** x[r, :] += bias in place; false: too small, use TypeScript. */
export function addRowVector(w: WasmKernels, x: Float32Array, bias: Float32Array, rows: number, cols: number): boolean {
  const n = rows * cols;
  if (n < routing.minElements) return false;
  const mem = w.mem;
  mem.reset();
  const px = mem.put(x.length === n ? x : x.subarray(0, n)),
    pb = mem.put(bias.length === cols ? bias : bias.subarray(0, cols));
  w.k.addRowVector(px, pb, rows, cols);
  mem.copyOut(px, x.length === n ? x : x.subarray(0, n));
  return true;
}
