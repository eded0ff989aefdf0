/** Max and average pooling (assembly/pool.ts), one thread: they move memory, and a conv's GEMM dwarfs them. */
import type { Conv2dGeometry } from '../../backend';
import type { WasmKernels } from '../wasmKernels';
import { putGeometry } from './conv';

export function maxPool2d(w: WasmKernels, x: Float32Array, g: Conv2dGeometry): { out: Float32Array; argmax: Int32Array } {
  const mem = w.mem;
  mem.reset();
  const gp = putGeometry(mem, g),
    px = mem.put(x);
  const size = g.n * g.c * g.oh * g.ow;
  const pout = mem.alloc(size * 4),
    parg = mem.alloc(size * 4);
  w.k.maxPool2d(gp, px, pout, parg, 0, g.n * g.c);
  return { out: mem.takeF32(pout, size), argmax: mem.takeI32(parg, size) };
}

export function maxPool2dBackward(w: WasmKernels, gy: Float32Array, argmax: Int32Array, g: Conv2dGeometry): Float32Array {
  const mem = w.mem;
  mem.reset();
  const pgy = mem.put(gy),
    parg = mem.put(argmax);
  const size = g.n * g.c * g.h * g.w;
  const pgx = mem.zeros(size);
  w.k.maxPool2dBackward(pgy, parg, pgx, gy.length);
  return mem.takeF32(pgx, size);
}

export function avgPool2d(w: WasmKernels, x: Float32Array, g: Conv2dGeometry): Float32Array {
  const mem = w.mem;
  mem.reset();
  const gp = putGeometry(mem, g),
    px = mem.put(x);
  const size = g.n * g.c * g.oh * g.ow;
  const pout = mem.alloc(size * 4);
  w.k.avgPool2d(gp, px, pout, 0, g.n * g.c);
  return mem.takeF32(pout, size);
}

export function avgPool2dBackward(w: WasmKernels, gy: Float32Array, g: Conv2dGeometry): Float32Array {
  const mem = w.mem;
  mem.reset();
  const gp = putGeometry(mem, g),
    pgy = mem.put(gy);
  const size = g.n * g.c * g.h * g.w;
  const pgx = mem.zeros(size);
  w.k.avgPool2dBackward(gp, pgy, pgx, 0, g.n * g.c);
  return mem.takeF32(pgx, size);
}
