/**
 * A WebGPU device for tests, from the npm package `webgpu` (Dawn) on a software Vulkan driver: Debian chromium's
 * SwiftShader, through the system's Vulkan loader (Debian's libvulkan1; .ci/run installs both). The device itself is
 * common/webgpu.ts's, as the command line gets it; unlike the command line, tests pick the driver. Null, with the
 * reason, where there is no adapter: a test then skips, except in CI where it fails.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GpuDevice } from '../../engine/backend/webgpu/gpu';
import { anotherNodeWebGpuDevice, nodeWebGpu } from '../../common/webgpu';

/** Debian chromium's SwiftShader: the Vulkan driver the tests use unless VK_ICD_FILENAMES names another. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface TestDevice {
  device: GpuDevice | null;
  why: string;
}

let cached: Promise<TestDevice> | null = null;

/** A device of its own (for a test that breaks it), from a new adapter of the same instance; null without one. */
export async function freshDevice(): Promise<GpuDevice | null> {
  if (!(await testDevice()).device) return null;
  return anotherNodeWebGpuDevice();
}

export function testDevice(): Promise<TestDevice> {
  cached ??= (async () => {
    // The Vulkan loader reads these when Dawn creates its instance, so setting them here is in time.
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    // Without a runtime directory the loader prints a warning on every start.
    process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'bps-xdg-'));
    // common/webgpu.ts keeps Dawn's instance referenced as long as the device lives (collected, it tears it down).
    const r = await nodeWebGpu();
    if (!r.ok)
      return { device: null, why: r.missing === 'adapter' ? `${r.message} (is chromium installed, and VK_ICD_FILENAMES set to its SwiftShader?)` : r.message };
    return { device: r.device, why: '' };
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
