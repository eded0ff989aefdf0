/**
 * A run that starts on WebGPU and, if the GPU fails (device lost, out of memory, any WebGPU error) or the webview
 * running it goes (hidden, closed), goes on on the CPU runner: from the WebGPU run's last epoch end (its checkpoint;
 * the start if it had none), with the history so far, paused if it was paused, at the same pace,
 * watching the same node, and stopping at once if Stop was asked for. The optimizer's state of that epoch's end (Adam's
 * moments and step counts, SGD's momentum) goes with the weights. The session sees one runner throughout.
 */
import type { RunInput } from '../../engine/train/run';
import type { TrainingRunner } from './session';
import type { GpuRunnerMessage, LosableRunner } from './webviewRunner';
import type { EpochMetrics, OptimizerState } from '../../engine';

/** Where the CPU goes on from: an epoch's end. */
interface Kept {
  weights: Uint8Array;
  epoch: number;
  history: EpochMetrics[];
  optimizer?: OptimizerState;
}
import type { FromWorker, StepUnit } from './workerProtocol';

export class FallbackRunner implements TrainingRunner {
  private current: LosableRunner | TrainingRunner;
  private readonly listeners: ((m: FromWorker) => void)[] = [];
  private input: RunInput | null = null;
  private kept: Kept | null = null;
  private paused = false;
  private stepsPerSecond: number | null | undefined;
  private watching: string | null | undefined;
  private stopping = false;
  private handedOver = false;
  /** The last step the WebGPU run reported: the CPU's progress up to it (the steps it trains again) is not shown. */
  private lastStep = 0;

  constructor(
    primary: LosableRunner,
    private readonly makeCpu: () => TrainingRunner,
    /** Called when the run moves to the CPU, with why (the session's panel line says so). */
    private readonly onHandover: (reason: string) => void,
  ) {
    this.current = primary;
    primary.onMessage((m) => this.fromPrimary(m));
  }

  private fromPrimary(m: GpuRunnerMessage): void {
    if (this.handedOver) return;
    switch (m.type) {
      case 'checkpoint':
        this.kept = { weights: m.weights, epoch: m.epoch, history: m.history, optimizer: m.optimizer };
        return;
      case 'runnerLost':
        return this.handOver(m.reason, m.weights ? { weights: m.weights, epoch: m.epoch, history: m.history } : this.kept);
      case 'paused':
        this.paused = true;
        break;
      case 'resumed':
        this.paused = false;
        break;
      case 'progress':
        this.lastStep = Math.max(this.lastStep, m.progress.step);
        break;
    }
    this.emit(m);
  }

  private emit(m: FromWorker): void {
    for (const l of this.listeners) l(m);
  }

  private handOver(reason: string, from: Kept | null): void {
    this.handedOver = true;
    this.current.dispose();
    const input = this.input!;
    const cpu = this.makeCpu();
    this.current = cpu;
    // From the last epoch end the CPU trains again steps the charts already show: its progress shows once it passes them.
    cpu.onMessage((m) => {
      if (m.type !== 'progress' || m.progress.step > this.lastStep) this.emit(m);
    });
    this.onHandover(reason);
    cpu.start({
      ...input,
      sidecar: from ? from.weights : input.sidecar,
      options: {
        ...input.options,
        startPaused: this.paused,
        ...(this.stepsPerSecond !== undefined ? { stepsPerSecond: this.stepsPerSecond } : {}),
        ...(this.watching !== undefined ? { watch: this.watching } : {}),
        ...(from ? { resume: { epoch: from.epoch, history: from.history, ...(from.optimizer ? { optimizer: from.optimizer } : {}) } } : {}),
      },
    });
    if (this.stopping) cpu.stop();
  }

  start(input: RunInput): void {
    this.input = input;
    this.paused = !!input.options.startPaused;
    this.current.start(input);
  }
  pause(): void {
    this.current.pause();
  }
  resume(): void {
    this.current.resume();
  }
  step(unit: StepUnit): void {
    this.current.step(unit);
  }
  pace(stepsPerSecond: number | null): void {
    this.stepsPerSecond = stepsPerSecond;
    this.current.pace(stepsPerSecond);
  }
  watch(nodeId: string | null): void {
    this.watching = nodeId;
    this.current.watch(nodeId);
  }
  stop(): void {
    this.stopping = true;
    this.current.stop();
  }
  dispose(): void {
    this.current.dispose();
  }
  onMessage(listener: (m: FromWorker) => void): void {
    this.listeners.push(listener);
  }
}
