/**
 * A WebGPU device in Node, for the command line, the benchmarks and the tests: the npm package `webgpu` (Dawn, an
 * optional dependency, loaded only when asked for) over whatever Vulkan driver the system's loader finds. Nothing
 * here sets VK_ICD_FILENAMES: which driver to use is the caller's choice (docs/cli.md).
 */
import { existsSync } from 'node:fs';
import type { GpuAdapter, GpuDevice } from '../engine/backend/webgpu/gpu';
import type { WebGpuBackend } from '../engine/backend/webgpu';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, llvmpipe/lavapipe, WARP): correct, but its timings say nothing of a GPU. */
  software: boolean;
}

export type NodeWebGpu = { ok: true; device: GpuDevice; adapter: AdapterInfo } | { ok: false; missing: 'package' | 'adapter'; message: string };

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: object): Promise<GpuAdapter | null> };
  globals: Record<string, unknown>;
}

/** How the package is loaded: replaceable so that a test can play a machine without it. */
export type LoadDawn = () => Promise<DawnModule>;
const loadPackage: LoadDawn = async () => (await import('webgpu')) as unknown as DawnModule;

// Dawn tears its devices down when the instance is collected, under work still running: the instance lives as long
// as the device does, here.
let instance: unknown = null;
let current: Promise<NodeWebGpu> | null = null;

/** The one device of this process (created on the first call, shared after). */
export function nodeWebGpu(load: LoadDawn = loadPackage): Promise<NodeWebGpu> {
  current ??= create(load);
  return current;
}

async function create(load: LoadDawn): Promise<NodeWebGpu> {
  const icdProblem = missingIcdFiles();
  if (icdProblem) return { ok: false, missing: 'adapter', message: icdProblem };
  let dawn: DawnModule;
  try {
    dawn = await load();
  } catch (e) {
    return { ok: false, missing: 'package', message: packageProblem(e) };
  }
  // The WebGPU constants (GPUBufferUsage, …) as globals, as in a browser.
  Object.assign(globalThis, dawn.globals);
  try {
    const gpu = dawn.create([]);
    instance = gpu;
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      instance = null;
      return { ok: false, missing: 'adapter', message: `no WebGPU adapter: Dawn found no usable Vulkan driver (${icdHint()})` };
    }
    // The adapter's own limits, not WebGPU's defaults (a 4096² float matrix is 64 MiB; the default binding limit is 128 MiB).
    const requiredLimits = { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize };
    const device = await adapter.requestDevice({ requiredLimits });
    return { ok: true, device, adapter: adapterInfo(adapter) };
  } catch (e) {
    instance = null;
    return { ok: false, missing: 'adapter', message: `no WebGPU device: Dawn failed to create one (${firstLine(e)}; ${icdHint()})` };
  }
}

/** A second device from a new adapter of the same instance (for a test that breaks one); null without a first. */
export async function anotherNodeWebGpuDevice(): Promise<GpuDevice | null> {
  const first = await current;
  if (!first?.ok || !instance) return null;
  const adapter = await (instance as { requestAdapter(): Promise<GpuAdapter | null> }).requestAdapter();
  return adapter ? adapter.requestDevice() : null;
}

/** Why the package did not load, in one line: not there at all, or there without a binary that loads here. */
export function packageProblem(e: unknown): string {
  const absent = /Cannot find (package|module) 'webgpu'/.test(String((e as Error)?.message));
  return absent
    ? `--backend webgpu needs the npm package webgpu, which is not installed (${firstLine(e)}); install it with npm install webgpu`
    : `--backend webgpu needs the npm package webgpu, which did not load (${firstLine(e)}); reinstall it with npm install webgpu, or check that it has a build for ${process.platform}-${process.arch}`;
}

/**
 * Lets go of the device and the instance, so that Dawn no longer keeps the process alive. The CLI calls it when
 * its work is done; nothing may use the device after.
 */
export async function releaseNodeWebGpu(): Promise<void> {
  const r = await current;
  current = null;
  if (r?.ok) r.device.destroy();
  instance = null;
}

/** Whether a device was asked for in this process (the CLI then ends the process itself). */
export const nodeWebGpuRequested = () => current !== null || instance !== null;

/** Resolves when the GPU has done everything the backend recorded so far (what a timing must wait for). */
export async function gpuIdle(b: WebGpuBackend): Promise<void> {
  await b.idle();
}

export function adapterInfo(adapter: GpuAdapter): AdapterInfo {
  const i = adapter.info ?? {};
  const info = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' };
  // Dawn reports isFallbackAdapter on the info (newer spec) or on the adapter (older); SwiftShader says neither.
  const fallback = (adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  return { ...info, software: fallback || isSoftwareName(Object.values(info).join(' ')) };
}

export const isSoftwareName = (text: string) => /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i.test(text);

/** "google swiftshader (SwiftShader driver 5.0.0), a software adapter". */
export function describeAdapter(a: AdapterInfo): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const detail = a.description || a.device;
  return `${name}${detail ? ` (${detail})` : ''}${a.software ? ', a software adapter' : ''}`;
}

/** VK_ICD_FILENAMES naming only files that are not there: said in one line, before Dawn prints its own warnings. */
function missingIcdFiles(): string | null {
  const icd = process.env.VK_ICD_FILENAMES;
  if (!icd) return null;
  const files = icd.split(process.platform === 'win32' ? ';' : ':').filter(Boolean);
  if (files.length === 0 || files.some((f) => existsSync(f))) return null;
  return `no WebGPU adapter: VK_ICD_FILENAMES names ${files.join(', ')}, which ${files.length > 1 ? 'do' : 'does'} not exist (point it at a Vulkan driver's ICD file, or unset it)`;
}

function icdHint(): string {
  return process.env.VK_ICD_FILENAMES
    ? `VK_ICD_FILENAMES is ${process.env.VK_ICD_FILENAMES}`
    : "install the GPU's Vulkan driver, or for a software one set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json; see docs/cli.md";
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];
