// Between the page and the WebGPU runner's worker.
import type { RunInput } from '../../engine/train/run';
import type { GpuControl, GpuRunOut } from './gpuRun';

export type WorkerIn = { type: 'probe' } | { type: 'start'; input: RunInput } | { type: 'control'; control: GpuControl };
export type WorkerOut = { type: 'probed'; adapter: string | null; why?: string } | { type: 'run'; message: GpuRunOut };
