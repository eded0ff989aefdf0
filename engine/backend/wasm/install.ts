/**
 * Installing the WebAssembly kernels into the CPU backend. Hosts that have the module's bytes call
 * useWasmKernels once at start; without it (or where WebAssembly SIMD is missing) the CPU backend runs its
 * TypeScript kernels. The float64 backend of the gradient check always runs the TypeScript kernels.
 */
import { backend } from '../backend';
import { CpuBackend } from '../cpu';
import type { KernelBinaries } from './binaries';
import { WasmKernels, type KernelOptions } from './wasmKernels';

export interface KernelInfo {
  /** 'relaxed-simd', 'simd', or 'typescript' when no WebAssembly kernels run. */
  kernels: 'relaxed-simd' | 'simd' | 'typescript';
  threads: number;
}

/** Compiles the kernels and makes the current CPU backend use them; returns what runs now. */
export function useWasmKernels(binaries: KernelBinaries | null, opts: KernelOptions = {}): KernelInfo {
  const b = backend();
  if (!(b instanceof CpuBackend)) return { kernels: 'typescript', threads: 1 };
  const k = binaries ? WasmKernels.create(binaries, opts) : null;
  b.setFastKernels(k);
  return kernelInfo();
}

/** Goes back to the TypeScript kernels (tests compare the two). */
export function useTypeScriptKernels(): void {
  installKernels(null);
}

/** Makes the current CPU backend use kernels made earlier (benchmarks switch between several); null: TypeScript. */
export function installKernels(k: WasmKernels | null): KernelInfo {
  const b = backend();
  if (b instanceof CpuBackend) b.setFastKernels(k);
  return kernelInfo();
}

/** The WebAssembly kernels the current backend runs, or null (TypeScript kernels, another backend). */
export function currentWasmKernels(): WasmKernels | null {
  const b = backend();
  return b instanceof CpuBackend ? b.fastKernels : null;
}

/** 'WebAssembly relaxed SIMD, 2 threads', 'WebAssembly SIMD, 1 thread' or 'TypeScript': for logs and tables. */
export function describeKernels(k: KernelInfo): string {
  if (k.kernels === 'typescript') return 'TypeScript kernels';
  return `WebAssembly ${k.kernels === 'relaxed-simd' ? 'relaxed SIMD' : 'SIMD'}, ${k.threads} thread${k.threads === 1 ? '' : 's'}`;
}

export function kernelInfo(): KernelInfo {
  const b = backend();
  const k = b instanceof CpuBackend ? b.fastKernels : null;
  return k ? { kernels: k.flavour, threads: k.threads } : { kernels: 'typescript', threads: 1 };
}
