/**
 * One training run on WebGPU, wherever it is hosted (a dedicated worker, or the page's main thread): the host's
 * own training loop (engine/train/run.ts, engine and plain TypeScript only) with the engine's WebGPU
 * backend, controlled by the same StepGate as the CPU worker thread, posting the same FromWorker messages.
 *
 * A WebGPU failure (the device lost, out of memory, any uncaptured error, or an error thrown by a step once training
 * has begun) ends the run with `runnerLost`: the host hands the run to the CPU runner from the last checkpoint it got
 * (weights, optimizer state and position, posted as `checkpoint` at every epoch's end, about once a second between and
 * when the run comes to rest: engine/train/checkpoints.ts). A model or dataset the run refuses before it starts fails as on the CPU.
 */
import { setBackend, type EpochMetrics } from '../../engine';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import type { GpuDevice } from '../../engine/backend/webgpu/gpu';
import { runTraining, type RunInput } from '../../engine/train/run';
import type { RunCheckpoint } from '../../engine/train/checkpoints';
import { StepGate } from '../../engine/train/stepGate';
import type { FromWorker, RunnerCheckpoint, RunnerLost, ToWorker } from '../../protocol/messages';

export type GpuRunOut = FromWorker | RunnerLost | RunnerCheckpoint;
export type GpuControl = Exclude<ToWorker, { type: 'start' }> | { type: 'dispose' };

/** The WebGPU error events the run listens to (GPUDevice is an EventTarget; the engine's type does not say so). */
interface DeviceEvents {
  addEventListener?(type: 'uncapturederror', listener: (e: { error?: { message?: string; constructor?: { name?: string } } }) => void): void;
}

export interface GpuRun {
  control(m: GpuControl): void;
  /** Resolves when the run has posted its last message. */
  readonly done: Promise<void>;
}

export function startGpuRun(device: GpuDevice, input: RunInput, post: (m: GpuRunOut) => void): GpuRun {
  let ended = false;
  const send = (m: GpuRunOut) => {
    if (ended) return;
    if (m.type === 'finished' || m.type === 'nonFinite' || m.type === 'failed' || m.type === 'runnerLost') ended = true;
    post(m);
  };
  // What runnerLost carries: null weights, so the host goes on from its own copy of the last checkpoint (or the start).
  const kept = { weights: null, epoch: 0, history: [] as EpochMetrics[] };
  let gpuError: string | null = null;
  const lose = (reason: string) => {
    if (gpuError !== null) return;
    gpuError = reason;
    gate.stop();
    send({ type: 'runnerLost', reason, ...kept });
  };
  class GpuGate extends StepGate {
    checkpoint(c: RunCheckpoint): void {
      // A copy: the worker transfers the bytes, and the run keeps an epoch end's weights for a NaN step.
      send({ type: 'checkpoint', ...c, weights: c.weights.slice() });
    }
  }
  const gate = new GpuGate((m) => send(m));
  gate.configure(input.options);
  void device.lost.then((info) => lose(`the WebGPU device was lost${info.message ? ` (${info.message})` : ''}`));
  (device as DeviceEvents).addEventListener?.('uncapturederror', (e) => {
    const kind = e.error?.constructor?.name === 'GPUOutOfMemoryError' ? 'ran out of GPU memory' : 'reported an error';
    lose(`WebGPU ${kind}${e.error?.message ? `: ${e.error.message.split('\n')[0]}` : ''}`);
  });
  setBackend(new WebGpuBackend(device));
  let started = false;
  const done = runTraining(
    input,
    (m) => {
      // After a GPU error the loop's own end (stopped, failed) is not the run's: the host goes on on the CPU.
      if (gpuError !== null) return;
      if (m.type === 'started') started = true;
      // Failing once training has begun (the model and data were fine): WebGPU's doing, as far as this run can tell
      // (a buffer too large, a read that failed). The CPU runner goes on, and says so itself if it fails too.
      if (m.type === 'failed' && started) return lose(`WebGPU failed: ${m.message}`);
      send(m);
    },
    gate,
  ).catch((e: unknown) => {
    if (gpuError !== null) return;
    if (started) lose(`WebGPU failed: ${(e as Error).message}`);
    else send({ type: 'failed', message: (e as Error).message });
  });
  return {
    done,
    control(m) {
      switch (m.type) {
        case 'pause':
          return gate.pause();
        case 'resume':
          return gate.resume();
        case 'step':
          return gate.step(m.unit);
        case 'pace':
          return gate.pace(m.stepsPerSecond);
        case 'watch':
          return gate.watch(m.nodeId);
        case 'stop':
          return gate.stop();
        case 'dispose':
          ended = true;
          return gate.stop();
      }
    },
  };
}
