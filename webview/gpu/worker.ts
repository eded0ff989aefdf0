/**
 * The WebGPU runner's dedicated worker (built into a string that the page turns into a blob: URL, since a webview
 * cannot start a worker from its resource URLs). It finds its own adapter (Chromium exposes navigator.gpu to
 * dedicated workers), then runs gpuRun.ts; messages and weights travel by transfer.
 */
import { findAdapter } from './adapter';
import { startGpuRun, type GpuControl, type GpuRun, type GpuRunOut } from './gpuRun';
import type { WorkerIn, WorkerOut } from './workerMessages';

const scope = globalThis as unknown as { postMessage(m: WorkerOut, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<WorkerIn>) => void) | null };
let run: GpuRun | null = null;
/** Controls that arrive while the adapter and device are requested: applied once the run exists. */
const early: GpuControl[] = [];

const transferOf = (m: GpuRunOut): Transferable[] => {
  if ((m.type === 'finished' || m.type === 'nonFinite' || m.type === 'checkpoint') && m.weights) return [m.weights.buffer as ArrayBuffer];
  if (m.type === 'runnerLost' && m.weights) return [m.weights.buffer as ArrayBuffer];
  if (m.type === 'boundary') return [m.values.buffer as ArrayBuffer];
  return [];
};

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'probe') {
    void findAdapter().then((f) => scope.postMessage(f.adapter ? { type: 'probed', adapter: f.name } : { type: 'probed', adapter: null, why: f.why }));
  } else if (m.type === 'start') {
    void (async () => {
      const found = await findAdapter();
      if (!found.adapter) return scope.postMessage({ type: 'run', message: { type: 'runnerLost', reason: found.why, weights: null, epoch: 0, history: [] } });
      let device;
      try {
        device = await found.adapter.requestDevice({
          requiredLimits: { maxStorageBufferBindingSize: found.adapter.limits.maxStorageBufferBindingSize, maxBufferSize: found.adapter.limits.maxBufferSize },
        });
      } catch (err) {
        return scope.postMessage({
          type: 'run',
          message: { type: 'runnerLost', reason: `no WebGPU device (${(err as Error).message})`, weights: null, epoch: 0, history: [] },
        });
      }
      run = startGpuRun(device, m.input, (out) => scope.postMessage({ type: 'run', message: out }, transferOf(out)));
      for (const c of early.splice(0)) run.control(c);
    })();
  } else if (run) run.control(m.control);
  else early.push(m.control);
};
