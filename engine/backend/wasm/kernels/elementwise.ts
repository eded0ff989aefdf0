/**
 * Elementwise WebAssembly kernels as the CPU backend calls them. Each returns null (the backend then runs its
 * TypeScript kernel) for an op the module lacks, a layout it does not handle, or a size too small to pay for
 * copying the operands into the module's memory and the result out (see routing).
 */
import type { BinaryOp, UnaryOp } from '../../backend';
import type { Shape } from '../../../shape';
import { middleBlock } from '../../cpu/elementwise';
import type { WasmKernels } from '../wasmKernels';

/**
 * Below this many elements the TypeScript loop wins: a call's fixed cost (arena reset, offsets, the boundary
 * crossing, ~0.5 µs) is not repaid. Measured with 1 thread (Node 20, a shared 2-core Xeon; µs TypeScript /
 * WebAssembly, copies included): at 64 elements add 0.4/0.9, sgd 0.1/0.4, axpby 0.4/0.8; at 256 relu 1.5/0.8,
 * relu' 1.0/1.1, add 1.1/0.9, sgd 0.6/0.4, axpby 0.9/0.9; at 4096 relu 9.2/3.2, add 12.1/3.9, sumTo 13.3/3.2,
 * sgd 9.5/2.0; at 65536 relu 449/43 (TypeScript's relu branch mispredicts on mixed signs), add 178/74.
 * Mutable for the tests, which set it to 0 so that every size runs in WebAssembly.
 */
export const routing = { minElements: 256 };

/** Op codes of assembly/elementwise.ts. The transcendental ops stay on TypeScript (see docs). */
const UNARY: Partial<Record<UnaryOp, number>> = { relu: 0, leakyRelu: 1, neg: 2, abs: 3, square: 4 };
const BINARY: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

export function unary(w: WasmKernels, op: UnaryOp, x: Float32Array, param = 0): Float32Array | null {
  const code = UNARY[op];
  const n = x.length;
  if (code === undefined || n < routing.minElements) return null;
  const mem = w.mem;
  mem.reset();
  const px = mem.put(x),
    py = mem.alloc(n * 4);
  w.k.unary(code, px, py, n, param);
  return mem.takeF32(py, n);
}

export function unaryBackward(w: WasmKernels, op: UnaryOp, x: Float32Array, gy: Float32Array, param = 0): Float32Array | null {
  const code = UNARY[op];
  const n = x.length;
  if (code === undefined || n < routing.minElements) return null;
  const mem = w.mem;
  mem.reset();
  const px = mem.put(x),
    pg = mem.put(gy),
    out = mem.alloc(n * 4);
  w.k.unaryBackward(code, px, pg, out, n, param);
  return mem.takeF32(out, n);
}

/** Same shapes, or one operand broadcast along one block of dims (a bias row, a per-channel [c, 1], a scalar). */
export function binary(w: WasmKernels, op: BinaryOp, a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, outShape: Shape): Float32Array | null {
  let n = 1;
  for (const d of outShape) n *= d;
  if (n < routing.minElements) return null;
  const code = BINARY[op];
  const mem = w.mem;
  if (a.length === n && b.length === n) {
    mem.reset();
    const pa = mem.put(a),
      pb = mem.put(b),
      out = mem.alloc(n * 4);
    w.k.binary(code, pa, pb, out, n);
    return mem.takeF32(out, n);
  }
  const swap = a.length !== n;
  const blk = swap ? (b.length === n ? middleBlock(aShape, outShape) : null) : middleBlock(bShape, outShape);
  if (!blk) return null;
  const full = swap ? b : a,
    small = swap ? a : b;
  // A scalar or a [mid] run with nothing after it: the same loops with the run as inner or mid.
  const { outer, mid, inner } = blk.mid === 1 ? { outer: 1, mid: 1, inner: n } : blk;
  mem.reset();
  const pf = mem.put(full),
    ps = mem.put(small),
    out = mem.alloc(n * 4);
  w.k.binaryBlock(code, swap ? 1 : 0, pf, ps, out, outer, mid, inner);
  return mem.takeF32(out, n);
}

export function axpby(w: WasmKernels, a: Float32Array, alpha: number, b: Float32Array, beta: number, n: number): Float32Array | null {
  if (n < routing.minElements) return null;
  const mem = w.mem;
  mem.reset();
  const pa = mem.put(a.length === n ? a : a.subarray(0, n)),
    pb = mem.put(b.length === n ? b : b.subarray(0, n)),
    out = mem.alloc(n * 4);
  w.k.axpby(pa, alpha, pb, beta, out, n);
  return mem.takeF32(out, n);
}

export function scale(w: WasmKernels, x: Float32Array, alpha: number, n: number): Float32Array | null {
  if (n < routing.minElements) return null;
  const mem = w.mem;
  mem.reset();
  const px = mem.put(x.length === n ? x : x.subarray(0, n)),
    out = mem.alloc(n * 4);
  w.k.scale(px, alpha, out, n);
  return mem.takeF32(out, n);
}
