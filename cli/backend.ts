/**
 * `--backend cpu|webgpu` for grad, train, predict and profile: which engine backend runs the command. The CPU is the
 * default; WebGPU comes from the optional npm package `webgpu` (common/webgpu.ts) and is loaded only when asked for.
 */
import { backend, setBackend } from '../engine';
import { WebGpuBackend } from '../engine/backend/webgpu';
import { describeAdapter, gpuIdle, nodeWebGpu, type AdapterInfo } from '../common/webgpu';
import { UsageError } from './args';

export type BackendName = 'cpu' | 'webgpu';

/** The backend the command ran on, as the profile reports it. */
export interface BackendReport {
  name: BackendName;
  /** The WebGPU adapter (absent on the CPU). */
  adapter?: AdapterInfo;
}

/** No WebGPU package or adapter: exit 1 with this line. */
export class BackendUnavailableError extends Error {}

export const BACKEND_COMMANDS = ['grad', 'train', 'predict', 'profile'];

export function parseBackend(flags: Map<string, string | true>, command: string): BackendName {
  const v = flags.get('backend');
  if (v === undefined) return 'cpu';
  if (!BACKEND_COMMANDS.includes(command)) {
    throw new UsageError(`--backend applies to ${BACKEND_COMMANDS.join(', ')}, not ${command}${command === 'gradcheck' ? ' (it always evaluates in float64 on the CPU)' : ''}`);
  }
  if (v !== 'cpu' && v !== 'webgpu') throw new UsageError(`--backend must be cpu or webgpu, not "${v}"`);
  return v;
}

/** Makes `name` the engine's backend; called after the usage checks and before any tensor is made. */
export async function useBackend(name: BackendName): Promise<BackendReport> {
  if (name === 'cpu') return { name };
  const gpu = await nodeWebGpu();
  if (!gpu.ok) throw new BackendUnavailableError(gpu.message);
  setBackend(new WebGpuBackend(gpu.device));
  return { name, adapter: gpu.adapter };
}

export const describeBackend = (b: BackendReport) => (b.adapter ? `WebGPU, ${describeAdapter(b.adapter)}` : 'CPU');

/** For timings: waits for the GPU's queued work on WebGPU; undefined on the CPU, whose ops are done when they return. */
export function backendSync(): (() => Promise<void>) | undefined {
  const b = backend();
  return b instanceof WebGpuBackend ? () => gpuIdle(b) : undefined;
}
