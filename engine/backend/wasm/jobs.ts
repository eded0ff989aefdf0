/**
 * Running one kernel on several threads over one shared memory. The caller splits a kernel into jobs (the same
 * export, different arguments: other rows or columns of the output, another thread's scratch), runs the first
 * itself and hands the others to workers through a control block in a SharedArrayBuffer:
 *   per worker w, 64 int32 words at w·64: [0] job sequence number (the caller bumps it), [1] the sequence
 *   number the worker last finished, [2] the kernel's index in THREADED_KERNELS, [3] 1 when the worker is ready,
 *   [4] 1 when the job trapped; and from float64 word w·32 + 8, the job's arguments.
 * Workers block in Atomics.wait between jobs, so an idle pool costs nothing. Nothing here imports Node: the
 * host starts the workers (common/kernelThreads.ts) and each runs serveKernelJobs.
 */
import { THREADED_KERNELS, type KernelExports, type ThreadedKernel } from './exports';
import { webAssembly, type WasmMemory, type WasmModule } from './webassembly';

const WORDS = 64;
const SEQ = 0,
  DONE = 1,
  KERNEL = 2,
  READY = 3,
  TRAPPED = 4;
const ARGS = 8; // float64 word offset within a slot (slot = 32 float64 words)
const MAX_ARGS = 24;
/**
 * Atomics.load polls before blocking (~10-20 µs). Short on purpose: on a 2-vCPU machine a worker spinning for
 * ~150 µs after each job made the bench CNN's steps slower, taking cycles the calling thread needed.
 */
const SPIN = 2000;

export function controlBlockBytes(workers: number): number {
  return Math.max(1, workers) * WORDS * 4;
}

export interface Job {
  kernel: ThreadedKernel;
  args: number[];
}

/** The worker side: instantiate the module over the shared memory, say ready, then run jobs forever. */
export function serveKernelJobs(control: SharedArrayBuffer, worker: number, module: WasmModule, memory: WasmMemory): never {
  const exports = new (webAssembly()!.Instance)(module, { env: { memory } }).exports as unknown as KernelExports;
  const i32 = new Int32Array(control);
  const f64 = new Float64Array(control);
  const base = worker * WORDS;
  const argBase = worker * (WORDS / 2) + ARGS;
  let seen = Atomics.load(i32, base + SEQ);
  Atomics.store(i32, base + READY, 1);
  for (;;) {
    // Kernels come in bursts (a training step is dozens): spin a little for the next job before sleeping, since
    // a futex wake-up costs ~50 µs, as much as a small kernel.
    for (let spin = 0; spin < SPIN && Atomics.load(i32, base + SEQ) === seen; spin++);
    Atomics.wait(i32, base + SEQ, seen);
    seen = Atomics.load(i32, base + SEQ);
    try {
      // Inside the try: a kernel this worker does not know (a stale bundle) fails the job instead of the thread.
      const fn = exports[THREADED_KERNELS[Atomics.load(i32, base + KERNEL)]] as (...a: number[]) => void;
      const args: number[] = [];
      for (let i = 0; i < fn.length; i++) args.push(f64[argBase + i]);
      fn(...args);
      Atomics.store(i32, base + TRAPPED, 0);
    } catch {
      Atomics.store(i32, base + TRAPPED, 1);
    }
    Atomics.store(i32, base + DONE, seen);
    Atomics.notify(i32, base + DONE);
  }
}

/** A worker that failed or exited takes no more jobs (its host calls this from the worker's 'error' or 'exit'). */
export function retireKernelWorker(control: SharedArrayBuffer, worker: number): void {
  Atomics.store(new Int32Array(control), worker * WORDS + READY, 0);
}

/** The caller's side of the pool. */
export class JobDispatcher {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;

  constructor(
    readonly control: SharedArrayBuffer,
    readonly workers: number,
    private readonly exports: KernelExports,
  ) {
    this.i32 = new Int32Array(control);
    this.f64 = new Float64Array(control);
  }

  /** Workers that have started (a worker still compiling is not waited for: the caller does its share). */
  ready(): number {
    let n = 0;
    for (let w = 0; w < this.workers; w++) if (Atomics.load(this.i32, w * WORDS + READY) === 1) n++;
    return n;
  }

  /**
   * Runs jobs[0] on this thread and jobs[1..] on ready workers; a job no ready worker is left for (one retired
   * since the split was planned) runs here too, after jobs[0]. Each job has its own scratch, so order is free.
   */
  run(jobs: Job[]): void {
    const started: number[] = [];
    const here: Job[] = [jobs[0]];
    let w = 0;
    for (let j = 1; j < jobs.length; j++) {
      while (w < this.workers && Atomics.load(this.i32, w * WORDS + READY) !== 1) w++;
      if (w === this.workers) {
        here.push(jobs[j]);
        continue;
      }
      const { kernel, args } = jobs[j];
      if (args.length > MAX_ARGS) throw new Error(`kernel threads: ${kernel} has more than ${MAX_ARGS} arguments`);
      const base = w * WORDS;
      const argBase = w * (WORDS / 2) + ARGS;
      args.forEach((a, i) => (this.f64[argBase + i] = a));
      Atomics.store(this.i32, base + KERNEL, THREADED_KERNELS.indexOf(kernel));
      Atomics.add(this.i32, base + SEQ, 1);
      Atomics.notify(this.i32, base + SEQ);
      started.push(w++);
    }
    for (const job of here) (this.exports[job.kernel] as (...a: number[]) => void)(...job.args);
    let trapped = false;
    for (const sw of started) {
      const base = sw * WORDS;
      const seq = Atomics.load(this.i32, base + SEQ);
      let done = Atomics.load(this.i32, base + DONE);
      for (let spin = 0; spin < SPIN && done !== seq; spin++) done = Atomics.load(this.i32, base + DONE);
      for (; done !== seq; done = Atomics.load(this.i32, base + DONE)) Atomics.wait(this.i32, base + DONE, done);
      if (Atomics.load(this.i32, base + TRAPPED) === 1) trapped = true;
    }
    if (trapped)
      throw new RangeError('a WebAssembly kernel failed on a worker thread (a trap, or a kernel the worker does not know: rebuild with npm run build)');
  }
}
