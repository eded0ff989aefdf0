/**
 * Conv2d through im2col and the SIMD GEMM (assembly/conv.ts), the batch split by samples over threads when
 * the work pays for waking them: each thread has its own column buffer and GEMM scratch, and for the weight
 * gradient its own partial sum, added up here. Same contract as the TypeScript kernels in ../../cpu/conv.ts.
 */
import type { Conv2dGeometry } from '../../backend';
import type { Job } from '../jobs';
import type { KernelMemory } from '../memory';
import type { WasmKernels } from '../wasmKernels';

/**
 * Below this many multiply-adds a conv stays on one thread. Measured on 2 cores: alone, the bench CNN's second
 * layer (4.5 M) ran ~1.6× faster split; inside the editor's training of the digits CNN, splitting it made the
 * whole run ~20 % slower (a sleeping worker takes ~50 µs to wake, and the copies into the shared memory cost
 * more), and its first (1.6 M, one input channel) was slower split even alone.
 */
export const CONV_SPLIT_MIN_MACS = 1 << 23;

/** The geometry as the kernels read it: 13 int32 in Conv2dGeometry's order. */
export function putGeometry(mem: KernelMemory, g: Conv2dGeometry): number {
  return mem.put(Int32Array.of(g.n, g.c, g.h, g.w, g.outC, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow));
}

const convMacs = (g: Conv2dGeometry) => g.n * g.outC * g.oh * g.ow * g.c * g.kh * g.kw;

type ConvKernel = 'conv2dForward' | 'conv2dBackwardInput' | 'conv2dBackwardWeight';

/**
 * Runs `kernel` over the batch in sample ranges, one per thread. `out(t)` is thread t's output pointer (the
 * same for every thread, except the weight gradient's partials). Returns the number of threads used.
 */
function runBySamples(
  w: WasmKernels,
  kernel: ConvKernel,
  g: Conv2dGeometry,
  gp: number,
  a: number,
  b: number,
  out: (t: number) => number,
  bias: number | null = null,
): number {
  const ckk = g.c * g.kh * g.kw,
    ohw = g.oh * g.ow;
  const threads = Math.min(g.n, w.splitThreads());
  const jobs: Job[] = [];
  for (let t = 0; t < threads; t++) {
    const n0 = Math.floor((g.n * t) / threads),
      n1 = Math.floor((g.n * (t + 1)) / threads);
    const cols = w.mem.alloc(ckk * ohw * 4);
    jobs.push({ kernel, args: bias === null ? [gp, a, b, out(t), n0, n1, cols, w.mem.scratch(t)] : [gp, a, b, bias, out(t), n0, n1, cols, w.mem.scratch(t)] });
  }
  w.run(jobs);
  return threads;
}

/** The convolution plus bias[o] on channel o when given. */
export function conv2d(w: WasmKernels, x: Float32Array, wt: Float32Array, g: Conv2dGeometry, bias: Float32Array | null): Float32Array {
  w = w.forWork(convMacs(g), CONV_SPLIT_MIN_MACS);
  const mem = w.mem;
  mem.reset();
  const gp = putGeometry(mem, g),
    px = mem.put(x),
    pw = mem.put(wt),
    pb = bias ? mem.put(bias) : 0;
  const size = g.n * g.outC * g.oh * g.ow;
  const py = mem.alloc(size * 4);
  runBySamples(w, 'conv2dForward', g, gp, px, pw, () => py, pb);
  return mem.takeF32(py, size);
}

export function conv2dBackwardInput(w: WasmKernels, gy: Float32Array, wt: Float32Array, g: Conv2dGeometry): Float32Array {
  w = w.forWork(convMacs(g), CONV_SPLIT_MIN_MACS);
  const mem = w.mem;
  mem.reset();
  const gp = putGeometry(mem, g),
    pgy = mem.put(gy),
    pw = mem.put(wt);
  const size = g.n * g.c * g.h * g.w;
  const pgx = mem.zeros(size);
  runBySamples(w, 'conv2dBackwardInput', g, gp, pgy, pw, () => pgx);
  return mem.takeF32(pgx, size);
}

export function conv2dBackwardWeight(w: WasmKernels, gy: Float32Array, x: Float32Array, g: Conv2dGeometry): Float32Array {
  w = w.forWork(convMacs(g), CONV_SPLIT_MIN_MACS);
  const mem = w.mem;
  mem.reset();
  const gp = putGeometry(mem, g),
    pgy = mem.put(gy),
    px = mem.put(x);
  const size = g.outC * g.c * g.kh * g.kw;
  const partials: number[] = [];
  const threads = runBySamples(w, 'conv2dBackwardWeight', g, gp, pgy, px, (t) => (partials[t] = mem.zeros(size)));
  const dw = mem.takeF32(partials[0], size);
  const f = mem.f32();
  for (let t = 1; t < threads; t++) {
    const o = partials[t] >> 2;
    for (let i = 0; i < size; i++) dw[i] += f[o + i];
  }
  return dw;
}
