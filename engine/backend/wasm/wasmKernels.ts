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
const MR = 4,
  NR = 8; // the GEMM's micro-tile (assembly/gemm.ts): thread splits fall on tile boundaries
/**
 * Below this many multiply-adds (~0.1 ms of work) a matmul stays on one thread: a worker asleep between kernels
 * takes ~50 µs to wake, and the copies into the shared memory cost more than into the private one.
 */
const SPLIT_MIN_MACS = 1 << 22;

export class WasmKernels {
  readonly mem: KernelMemory;
  private readonly jobs: JobDispatcher | null;
  /**
   * With threads: a second instance over a shared memory, with the workers, for the kernels big enough to split.
   * Everything else runs here, on a private memory: on 2 cores the bench's CNN and MLP steps and the editor's
   * digits CNN ran 5-20 % slower with every kernel on the shared memory, whose copies in and out cost more.
   */
  private pool: WasmKernels | null = null;

  private constructor(
    readonly flavour: KernelFlavour,
    readonly k: KernelExports,
    memory: WasmMemory,
    jobs: JobDispatcher | null,
    private readonly ownThreads: number,
  ) {
    this.jobs = jobs;
    this.mem = new KernelMemory(memory, k.gemmScratchBytes(), ownThreads);
  }

  /** Threads in all, the caller's included: the pool's when there is one. */
  get threads(): number {
    return this.pool ? this.pool.ownThreads : this.ownThreads;
  }

  /** Compiles the best variant this runtime supports; null where WebAssembly SIMD is missing. */
  static create(binaries: KernelBinaries, opts: KernelOptions = {}): WasmKernels | null {
    const wantThreads = Math.max(1, Math.floor(opts.threads ?? 1));
    const variant = pickVariant(binaries, false);
    if (!variant) return null;
    const wasm = webAssembly()!;
    const instantiate = (bytes: Uint8Array, shared: boolean) => {
      const memory = new wasm.Memory({ initial: 17, maximum: MAX_PAGES, ...(shared ? { shared: true } : {}) });
      const module = new wasm.Module(bytes);
      return { memory, module, exports: new wasm.Instance(module, { env: { memory } }).exports as unknown as KernelExports };
    };
    const one = instantiate(variant.bytes, false);
    const main = new WasmKernels(variant.flavour, one.exports, one.memory, null, 1);
    const sharedVariant = wantThreads > 1 && opts.startWorkers && typeof SharedArrayBuffer !== 'undefined' ? pickVariant(binaries, true) : null;
    if (!sharedVariant) return main;
    const workers = wantThreads - 1;
    const control = new SharedArrayBuffer(controlBlockBytes(workers));
    const many = instantiate(sharedVariant.bytes, true);
    main.pool = new WasmKernels(sharedVariant.flavour, many.exports, many.memory, new JobDispatcher(control, workers, many.exports), wantThreads);
    opts.startWorkers!(many.module, many.memory, control, workers);
    return main;
  }

  /** Threads ready to take a share of a kernel now (the caller's included). */
  available(): number {
    if (this.pool) return this.pool.available();
    return this.jobs ? 1 + this.jobs.ready() : 1;
  }

  /** Threads this instance can split a kernel over now: 1 on the private instance, 1 + ready workers on the pool. */
  splitThreads(): number {
    return this.jobs ? 1 + this.jobs.ready() : 1;
  }

  /**
   * The instance a kernel of `macs` multiply-adds (or comparable units of work) runs on: the threaded one when
   * the work reaches `minMacs` and a worker is ready, else this one.
   */
  forWork(macs: number, minMacs = SPLIT_MIN_MACS): WasmKernels {
    return this.pool && macs >= minMacs && this.pool.available() > 1 ? this.pool : this;
  }

  /** Runs jobs[0] here and the rest on workers; at most splitThreads() jobs. */
  run(jobs: Job[]): void {
    if (jobs.length === 1) (this.k[jobs[0].kernel] as (...a: number[]) => void)(...jobs[0].args);
    else this.jobs!.run(jobs);
  }

  /**
   * One GEMM on the arena's operands, split into row or column blocks over the ready threads when it is big
   * enough to pay for waking them. Pointers are byte offsets; strides are in floats.
   */
  gemm(
    M: number,
    N: number,
    K: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
    accumulate: boolean,
  ): void {
    const threads = M * N * K >= SPLIT_MIN_MACS ? this.splitThreads() : 1;
    const acc = accumulate ? 1 : 0;
    if (threads === 1) {
      this.k.gemm(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, this.mem.scratch(0));
      return;
    }
    // Split the longer side of C, on micro-tile boundaries, so every thread packs its own share of panels.
    const byRows = M >= N;
    const len = byRows ? M : N,
      tile = byRows ? MR : NR;
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
    if (threads > 1 && this.pool) return this.pool.ceiling(now, ms, threads);
    const iters = 1 << 20;
    const jobs = (n: number): Job[] => Array.from({ length: Math.min(threads, this.splitThreads()) }, () => ({ kernel: 'ceiling', args: [n, 0.5] }));
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
