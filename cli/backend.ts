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

/** No WebGPU package or adapter, or the device failed during the command: exit 1 with this line. */
export class BackendUnavailableError extends Error {}

let fail: (e: BackendUnavailableError) => void = () => {};
/**
 * Rejects when the WebGPU device is lost or reports an error no scope caught (an out-of-memory, say) during the
 * command: its results could not be trusted, and a read back may never resolve. The CLI races the command with it.
 */
export const backendFailed = new Promise<never>((_, reject) => (fail = reject));

export const BACKEND_COMMANDS = ['grad', 'train', 'predict', 'profile'];

export function parseBackend(flags: Map<string, string | true>, command: string): BackendName {
  const v = flags.get('backend');
  if (v === undefined) return 'cpu';
  if (!BACKEND_COMMANDS.includes(command)) {
    throw new UsageError(
      `--backend applies to ${BACKEND_COMMANDS.join(', ')}, not ${command}${command === 'gradcheck' ? ' (it always evaluates in float64 on the CPU)' : ''}`,
    );
  }
  if (v !== 'cpu' && v !== 'webgpu') throw new UsageError(`--backend must be cpu or webgpu, not "${v}"`);
  return v;
}

/** Makes `name` the engine's backend; called after the usage checks and before any tensor is made. */
export async function useBackend(name: BackendName): Promise<BackendReport> {
  if (name === 'cpu') return { name };
  const gpu = await nodeWebGpu();
  if (!gpu.ok) throw new BackendUnavailableError(gpu.message);
  const b = new WebGpuBackend(gpu.device);
  void b.failed.then((why) => fail(new BackendUnavailableError(`${why}; nothing was written (rerun with --backend cpu)`)));
  setBackend(b);
  return { name, adapter: gpu.adapter };
}

export const describeBackend = (b: BackendReport) => (b.adapter ? `WebGPU, ${describeAdapter(b.adapter)}` : 'CPU');

/** For timings: waits for the GPU's queued work on WebGPU; undefined on the CPU, whose ops are done when they return. */
export function backendSync(): (() => Promise<void>) | undefined {
  const b = backend();
  return b instanceof WebGpuBackend ? () => gpuIdle(b) : undefined;
}
