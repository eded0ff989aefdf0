/**
 * The WebGPU runner as the session sees it: the run executes in the webview that started it (webview/gpu/), which
 * relays the FromWorker messages the worker thread would post; this side posts the controls. When the webview goes
 * (hidden, closed) the runner reports `runnerLost`, like a GPU failure: the FallbackRunner takes it from there.
 */
import type { RunInput } from '../../engine/train/run';
import type { TrainingRunner } from './session';
import type { GpuView, Subscription } from './gpuView';
import type { FromWorker, RunnerCheckpoint, RunnerLost, StepUnit } from './workerProtocol';
import type { GpuRunControlMessage } from '../../protocol/messages';

export type GpuRunnerMessage = FromWorker | RunnerLost | RunnerCheckpoint;

/** A runner that can fail in a way the run survives (runnerLost) and keeps checkpoints: the WebGPU runner. */
export interface LosableRunner extends Omit<TrainingRunner, 'onMessage'> {
  onMessage(listener: (m: GpuRunnerMessage) => void): void;
}

const ENDS: readonly GpuRunnerMessage['type'][] = ['finished', 'nonFinite', 'failed', 'runnerLost'];

export class WebviewRunner implements LosableRunner {
  private readonly listeners: ((m: GpuRunnerMessage) => void)[] = [];
  private readonly subscriptions: Subscription[];
  private ended = false;

  constructor(
    private readonly view: GpuView,
    private readonly runId: number,
  ) {
    this.subscriptions = [
      view.onRunMessage((m) => {
        if (m.runId === runId) this.emit(m.message);
      }),
      view.onGone((why) => this.emit({ type: 'runnerLost', reason: why, weights: null, epoch: 0, history: [] })),
    ];
  }

  private emit(m: GpuRunnerMessage): void {
    if (this.ended) return;
    if (ENDS.includes(m.type)) this.end();
    for (const l of this.listeners) l(m);
  }

  private end(): void {
    this.ended = true;
    for (const s of this.subscriptions) s.dispose();
  }

  private control(control: GpuRunControlMessage['control']): void {
    if (!this.ended) this.view.post({ type: 'gpuRunControl', runId: this.runId, control });
  }

  start(input: RunInput): void {
    this.view.post({
      type: 'gpuRunStart',
      runId: this.runId,
      input: { modelText: input.modelText, sidecar: input.sidecar, external: input.external, options: input.options },
    });
  }
  pause(): void {
    this.control({ type: 'pause' });
  }
  resume(): void {
    this.control({ type: 'resume' });
  }
  step(unit: StepUnit): void {
    this.control({ type: 'step', unit });
  }
  pace(stepsPerSecond: number | null): void {
    this.control({ type: 'pace', stepsPerSecond });
  }
  watch(nodeId: string | null): void {
    this.control({ type: 'watch', nodeId });
  }
  stop(): void {
    this.control({ type: 'stop' });
  }
  dispose(): void {
    this.control({ type: 'dispose' });
    this.end();
  }
  onMessage(listener: (m: GpuRunnerMessage) => void): void {
    this.listeners.push(listener);
  }
}
