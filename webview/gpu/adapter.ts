// Finding a WebGPU adapter where this code runs (the page or a dedicated worker), and naming it for the panel.
import type { Gpu, GpuAdapter } from '../../engine/backend/webgpu/gpu';

export type Found = { adapter: GpuAdapter; name: string } | { adapter: null; why: string };

/** `navigator.gpu` where this scope has one (pages and, in Chromium, dedicated workers). */
export function navigatorGpu(): Gpu | undefined {
  return (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
}

export async function findAdapter(): Promise<Found> {
  const gpu = navigatorGpu();
  if (!gpu) return { adapter: null, why: 'no WebGPU in this editor (navigator.gpu is missing)' };
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { adapter: null, why: `requesting a WebGPU adapter failed (${(e as Error).message})` };
  }
  if (!adapter) return { adapter: null, why: 'no WebGPU adapter' };
  return { adapter, name: adapterName(adapter) };
}

/** "NVIDIA GeForce RTX 4070", else vendor and architecture; "(software)" for a fallback adapter such as SwiftShader. */
export function adapterName(adapter: Pick<GpuAdapter, 'info' | 'isFallbackAdapter'>): string {
  const i = adapter.info ?? {};
  const name = (i.description || [i.vendor, i.architecture, i.device].filter(Boolean).join(' ') || 'unnamed adapter').trim().slice(0, 200);
  return adapter.isFallbackAdapter ? `${name} (software)` : name;
}
