/**
 * The hosts' side of the engine's WebAssembly kernels (the command line, the extension's training worker, the
 * benchmarks and tests): read the compiled module from dist/kernels/ and start the worker threads that share
 * its memory. The engine itself never reads files; it gets the bytes from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { KERNEL_FILES, retireKernelWorker, useWasmKernels, type KernelBinaries, type KernelInfo, type StartKernelWorkers } from '../engine';

/** dist/ from a bundle in dist/, or from the sources (tsx runs common/*.ts; npm run build has written dist/). */
function distDir(): string | null {
  for (const dir of [__dirname, path.join(__dirname, '..', 'dist')]) {
    if (existsSync(path.join(dir, 'kernels', KERNEL_FILES.simd))) return dir;
  }
  return null;
}

export function readKernelBinaries(): KernelBinaries | null {
  const dist = distDir();
  if (!dist) return null;
  const read = (f: string) => {
    const p = path.join(dist, 'kernels', f);
    return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
  };
  const simd = read(KERNEL_FILES.simd);
  if (!simd) return null;
  return { simd, relaxed: read(KERNEL_FILES.relaxed), simdShared: read(KERNEL_FILES.simdShared), relaxedShared: read(KERNEL_FILES.relaxedShared) };
}

/** Worker threads from dist/kernelWorker.js; unref'd, so an idle pool never keeps the process alive. */
export const startKernelWorkers: StartKernelWorkers = (module, memory, control, workers) => {
  const dist = distDir();
  const script = dist && path.join(dist, 'kernelWorker.js');
  if (!script || !existsSync(script)) return; // no workers: the calling thread does all the work
  for (let index = 0; index < workers; index++) {
    const w = new Worker(script, { workerData: { module, memory, control, index } });
    w.unref();
    // A worker that fails to start never says it is ready, so no job is given to it; one that fails later is
    // retired, and the calling thread does its share from then on.
    w.on('error', () => retireKernelWorker(control, index));
    w.on('exit', () => retireKernelWorker(control, index));
  }
};

/** The default thread count: every core, capped at 8 (the splits were measured on 2 cores only). */
export function defaultKernelThreads(): number {
  return Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
}

/**
 * Makes the engine's CPU backend use the WebAssembly kernels, on `threads` threads (default: every core; the
 * BACKPROP_THREADS environment variable overrides; 0 or 'ts' keeps the TypeScript kernels).
 */
export function enableFastKernels(threads?: number): KernelInfo {
  const env = process.env.BACKPROP_THREADS;
  if (env === '0' || env === 'ts') return useWasmKernels(null);
  const n = threads ?? (env && Number(env) > 0 ? Math.floor(Number(env)) : defaultKernelThreads());
  return useWasmKernels(readKernelBinaries(), { threads: n, startWorkers: startKernelWorkers });
}
