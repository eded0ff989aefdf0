/**
 * The compiled kernel module, as bytes (the engine never reads files: the host that has them passes them in).
 * `npm run build` writes the four variants to dist/kernels/ (scripts/build-kernels.mjs).
 */
export interface KernelBinaries {
  /** Plain WebAssembly SIMD: every runtime the extension supports. */
  simd: Uint8Array;
  /** Relaxed SIMD (fused multiply-add): Electron ≥ 32, Chromium ≥ 114, Node with --experimental-wasm-relaxed-simd. */
  relaxed?: Uint8Array;
  /** The same two built for a shared memory, which worker threads can instantiate over. */
  simdShared?: Uint8Array;
  relaxedShared?: Uint8Array;
}

/** File names under dist/kernels/ for each field. */
export const KERNEL_FILES: Record<keyof KernelBinaries, string> = {
  simd: 'simd.wasm',
  relaxed: 'relaxed.wasm',
  simdShared: 'simd-shared.wasm',
  relaxedShared: 'relaxed-shared.wasm',
};

import { webAssembly } from './webassembly';

export type KernelFlavour = 'relaxed-simd' | 'simd';

/** The best variant this runtime compiles: relaxed SIMD where it validates, else plain SIMD; null without SIMD. */
export function pickVariant(b: KernelBinaries, shared: boolean): { flavour: KernelFlavour; bytes: Uint8Array } | null {
  const wasm = webAssembly();
  if (!wasm) return null;
  const relaxed = shared ? b.relaxedShared : b.relaxed;
  const simd = shared ? b.simdShared : b.simd;
  if (relaxed && wasm.validate(relaxed)) return { flavour: 'relaxed-simd', bytes: relaxed };
  if (simd && wasm.validate(simd)) return { flavour: 'simd', bytes: simd };
  return null;
}
