/**
 * Helpers for the WebAssembly kernel tests: each fast kernel runs against the CPU backend's TypeScript kernel
 * (the reference) on the same random inputs. Every flavour this process can compile is tested: plain SIMD always,
 * relaxed SIMD where it validates (the suite runs with --experimental-wasm-relaxed-simd on Node 20, and
 * test/kernels/plainRuntime.test.ts runs these files again in a process without it), on one thread and on two
 * (worker threads over a shared memory).
 */
import assert from 'node:assert/strict';
import { Random, WasmKernels, type KernelBinaries } from '../../engine';
import { readKernelBinaries, startKernelWorkers } from '../../common/kernels';

export interface Flavour {
  name: string;
  kernels: WasmKernels;
}

let cache: Flavour[] | null = null;

function need(b: KernelBinaries | null): KernelBinaries {
  if (!b) throw new Error('dist/kernels/*.wasm is missing: run `npm run build` first');
  return b;
}

/** Waits (blocking) until the worker threads of k are ready, so the threaded path is really taken. */
function waitForWorkers(k: WasmKernels): void {
  const until = Date.now() + 10_000;
  while (k.available() < k.threads && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  assert.equal(k.available(), k.threads, 'kernel worker threads did not start within 10 s');
}

/** Every kernel flavour this process runs, each on one thread and on two. */
export function flavours(): Flavour[] {
  if (cache) return cache;
  const b = need(readKernelBinaries());
  const out: Flavour[] = [];
  const variants: [string, KernelBinaries][] = [['simd', { simd: b.simd, simdShared: b.simdShared }]];
  if (b.relaxed && WebAssembly.validate(b.relaxed as Uint8Array<ArrayBuffer>)) variants.push(['relaxed-simd', b]);
  for (const [name, bin] of variants) {
    const one = WasmKernels.create(bin)!;
    assert.equal(one.flavour, name);
    out.push({ name: `${name}, 1 thread`, kernels: one });
    const two = WasmKernels.create(bin, { threads: 2, startWorkers: startKernelWorkers })!;
    waitForWorkers(two);
    out.push({ name: `${name}, 2 threads`, kernels: two });
  }
  cache = out;
  return out;
}

const rng = new Random(11, 'wasm-kernels-test');

export function rand(n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniformRange(lo, hi);
  return out;
}

/** |got − want| ≤ atol + rtol·|want| everywhere (float32 sums in another order: FMA and blocking). */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
  }
}
