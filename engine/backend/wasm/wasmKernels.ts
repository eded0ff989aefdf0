/**
 * The runtime of the fast float32 kernels: the compiled WebAssembly SIMD module (relaxed SIMD's fused
 * multiply-add where the runtime has it), its memory, and the worker threads that share it. The kernels
 * themselves are one file each in ./kernels/, taking and returning ordinary typed arrays like the TypeScript
 * kernels they stand in for; the CPU backend calls them for float32 work when they are installed (./install.ts)
 * and keeps its TypeScript kernels as the reference and fallback.
 */
import { pickVariant, type KernelBinaries, type KernelFlavour } from './binaries';
import type { KernelExports } from './exports';
import { controlBlockBytes, JobDispatcher, type Job } from './jobs';
import { KernelMemory } from './memory';
import { webAssembly, type WasmMemory, type WasmModule } from './webassembly';

/** Starts `workers` threads, each instantiating `module` over `memory` and running serveKernelJobs(control, index). */
export type StartKernelWorkers = (module: WasmModule, memory: WasmMemory, control: SharedArrayBuffer, workers: number) => void;

export interface KernelOptions {
  /** Threads in all, the caller's included (default 1). More than 1 needs `startWorkers` and SharedArrayBuffer. */
  threads?: number;
  startWorkers?: StartKernelWorkers;
}

const MAX_PAGES = 32768; // 2 GiB: the module is built with --maximumMemory 32768
const MR = 4, NR = 8; // the GEMM's micro-tile (assembly/gemm.ts): thread splits fall on tile boundaries
/** Below this many multiply-adds a matmul stays on one thread: waking a worker costs ~10-50 µs. */
const SPLIT_MIN_MACS = 1 << 18;

export class WasmKernels {
  readonly threads: number;
  readonly mem: KernelMemory;
  private readonly jobs: JobDispatcher | null;

  private constructor(readonly flavour: KernelFlavour, readonly k: KernelExports, memory: WasmMemory, jobs: JobDispatcher | null, threads: number) {
    this.threads = threads;
    this.jobs = jobs;
    this.mem = new KernelMemory(memory, k.gemmScratchBytes(), threads);
  }

  /** Compiles the best variant this runtime supports; null where WebAssembly SIMD is missing. */
  static create(binaries: KernelBinaries, opts: KernelOptions = {}): WasmKernels | null {
    const wantThreads = Math.max(1, Math.floor(opts.threads ?? 1));
    const threaded = wantThreads > 1 && !!opts.startWorkers && typeof SharedArrayBuffer !== 'undefined';
    const variant = pickVariant(binaries, threaded) ?? (threaded ? pickVariant(binaries, false) : null);
    if (!variant) return null;
    const shared = threaded && (variant.bytes === binaries.relaxedShared || variant.bytes === binaries.simdShared);
    const wasm = webAssembly()!;
    const memory = new wasm.Memory({ initial: 17, maximum: MAX_PAGES, ...(shared ? { shared: true } : {}) });
    const module = new wasm.Module(variant.bytes);
    const exports = new wasm.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    if (!shared) return new WasmKernels(variant.flavour, exports, memory, null, 1);
    const workers = wantThreads - 1;
    const control = new SharedArrayBuffer(controlBlockBytes(workers));
    const kernels = new WasmKernels(variant.flavour, exports, memory, new JobDispatcher(control, workers, exports), wantThreads);
    opts.startWorkers!(module, memory, control, workers);
    return kernels;
  }

  /** Threads ready to take a share of a kernel now (the caller's included). */
  available(): number {
    return this.jobs ? 1 + this.jobs.ready() : 1;
  }

  /** Runs jobs[0] here and the rest on workers; at most available() jobs. */
  run(jobs: Job[]): void {
    if (jobs.length === 1) (this.k[jobs[0].kernel] as (...a: number[]) => void)(...jobs[0].args);
    else this.jobs!.run(jobs);
  }

  /**
   * One GEMM on the arena's operands, split into row or column blocks over the ready threads when it is big
   * enough to pay for waking them. Pointers are byte offsets; strides are in floats.
   */
  gemm(M: number, N: number, K: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, ldc: number, accumulate: boolean): void {
    const threads = M * N * K >= SPLIT_MIN_MACS ? this.available() : 1;
    const acc = accumulate ? 1 : 0;
    if (threads === 1) {
      this.k.gemm(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, this.mem.scratch(0));
      return;
    }
    // Split the longer side of C, on micro-tile boundaries, so every thread packs its own share of panels.
    const byRows = M >= N;
    const len = byRows ? M : N, tile = byRows ? MR : NR;
    const parts = Math.min(threads, Math.ceil(len / tile));
    const chunk = Math.ceil(len / parts / tile) * tile;
    const jobs: Job[] = [];
    for (let t = 0, start = 0; start < len; t++, start += chunk) {
      const size = Math.min(chunk, len - start);
      const args = byRows
        ? [size, N, K, a + start * ars * 4, ars, acs, b, brs, bcs, c + start * ldc * 4, ldc, acc, this.mem.scratch(t)]
        : [M, size, K, a, ars, acs, b + start * bcs * 4, brs, bcs, c + start * 4, ldc, acc, this.mem.scratch(t)];
      jobs.push({ kernel: 'gemm', args });
    }
    this.run(jobs);
  }

  /**
   * GFLOP/s of a register-only multiply-add loop (no memory traffic) on `threads` threads at once (at most
   * available()): the ceiling the kernels are measured against. `now` is the host's clock in ms (performance.now;
   * the engine itself has no clock).
   */
  ceiling(now: () => number, ms = 300, threads = 1): number {
    const iters = 1 << 20;
    const jobs = (n: number): Job[] => Array.from({ length: Math.min(threads, this.available()) }, () => ({ kernel: 'ceiling', args: [n, 0.5] }));
    this.run(jobs(iters >> 4)); // warm-up and tier-up
    const round = jobs(iters);
    let rounds = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < ms) {
      this.run(round);
      rounds++;
      t = now();
    }
    return (rounds * round.length * iters * 96) / ((t - t0) * 1e6);
  }
}
