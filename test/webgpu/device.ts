/**
 * A WebGPU device for tests, from the npm package `webgpu` (Dawn) on a software Vulkan driver: Debian chromium's
 * SwiftShader (VK_ICD_FILENAMES, and its Vulkan loader on LD_LIBRARY_PATH; scripts/run-tests.mjs sets both). Null,
 * with the reason, where there is no adapter: a test then skips, except in CI where it fails.
 */
import type { GpuDevice } from '../../engine/backend/webgpu/gpu';

export interface TestDevice {
  device: GpuDevice | null;
  why: string;
}

let cached: Promise<TestDevice> | null = null;
/** The Dawn instance: it must outlive its devices (collected, it tears them down under the running work). */
export let instance: unknown = null;

export function testDevice(): Promise<TestDevice> {
  cached ??= (async () => {
    let mod: { create(args: string[]): { requestAdapter(): Promise<unknown> }; globals: Record<string, unknown> };
    try {
      mod = (await import('webgpu')) as never;
    } catch (e) {
      return { device: null, why: `the npm package webgpu is not installed (${(e as Error).message})` };
    }
    Object.assign(globalThis, mod.globals);
    const gpu = mod.create([]);
    instance = gpu;
    const adapter = (await gpu.requestAdapter()) as { requestDevice(): Promise<GpuDevice> } | null;
    if (!adapter) return { device: null, why: 'no WebGPU adapter (is chromium installed, and VK_ICD_FILENAMES set to its SwiftShader?)' };
    return { device: await adapter.requestDevice(), why: '' };
  })();
  return cached;
}

/** Skip reason for node:test, or false; in CI a missing adapter is a failure, not a skip. */
export async function skipWithoutDevice(): Promise<string | false> {
  const { device, why } = await testDevice();
  if (device) return false;
  if (process.env.CI) throw new Error(`WebGPU tests need an adapter in CI: ${why}`);
  return why;
}
