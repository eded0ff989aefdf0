/**
 * A run that starts on WebGPU and, if the GPU fails (device lost, out of memory, any WebGPU error) or the webview
 * running it goes (hidden, closed), goes on on the CPU runner from the last step the WebGPU run completed and showed.
 * The CPU starts from the run's last checkpoint (weights, optimizer state and position: taken at every epoch's end,
 * about once a second between and whenever the run comes to rest; the start if there was none), trains the steps the
 * WebGPU run showed since at once and unseen, then takes its place: paused if it was paused, at the same pace, watching
 * the same node, stopping at once if Stop was asked for. The session sees one runner, whose steps never go back or
 * repeat.
 */
import type { RunInput } from '../../engine/train/run';
import type { RunCheckpoint } from '../../engine/train/checkpoints';
import type { TrainingRunner } from './session';
import type { GpuRunnerMessage, LosableRunner } from './webviewRunner';
import type { FromWorker, StepUnit } from './workerProtocol';

/** Where the CPU goes on from. */
type Kept = Omit<RunCheckpoint, 'optimizer' | 'epoch'> & Partial<Pick<RunCheckpoint, 'optimizer'>>;

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
  private stepsPerEpoch = 0;
  /** The last step the WebGPU run reported: the CPU trains again up to it without showing it. */
  private lastStep = 0;
  /** Epochs whose metrics the session has: the CPU's again are not passed on. */
  private epochsShown = 0;

  constructor(
    primary: LosableRunner,
    private readonly makeCpu: () => TrainingRunner,
    /** Called when the run moves to the CPU, with why and the step it goes on from (the session's panel line says so). */
    private readonly onHandover: (reason: string, step: number) => void,
  ) {
    this.current = primary;
    primary.onMessage((m) => this.fromPrimary(m));
  }

  private fromPrimary(m: GpuRunnerMessage): void {
    if (this.handedOver) return;
    switch (m.type) {
      case 'checkpoint':
        // Reads complete in order, but a late one must never replace a later one.
        if (!this.kept || m.step >= this.kept.step)
          this.kept = { weights: m.weights, step: m.step, history: m.history, partial: m.partial, optimizer: m.optimizer };
        return;
      case 'runnerLost': {
        const from = m.weights
          ? { weights: m.weights, step: m.epoch * this.stepsPerEpoch, history: m.history, partial: { loss: 0, correct: 0, samples: 0 } }
          : this.kept;
        return this.handOver(m.reason, from);
      }
      case 'started':
        this.stepsPerEpoch = m.stepsPerEpoch;
        break;
      case 'paused':
        this.paused = true;
        break;
      case 'resumed':
        this.paused = false;
        break;
    }
    this.emit(m);
  }

  private emit(m: FromWorker): void {
    if (m.type === 'progress') this.lastStep = Math.max(this.lastStep, m.progress.step);
    if (m.type === 'epoch') this.epochsShown = Math.max(this.epochsShown, m.metrics.epoch + 1);
    for (const l of this.listeners) l(m);
  }

  /** What the CPU posts for a step or epoch the session has already seen (its catch-up) stays here. */
  private fromCpu(m: FromWorker): void {
    if (m.type === 'progress' && m.progress.step <= this.lastStep) return;
    if (m.type === 'epoch' && m.metrics.epoch < this.epochsShown) return;
    this.emit(m);
  }

  private handOver(reason: string, from: Kept | null): void {
    this.handedOver = true;
    this.current.dispose();
    const input = this.input!;
    const cpu = this.makeCpu();
    this.current = cpu;
    cpu.onMessage((m) => this.fromCpu(m));
    const at = from ?? { weights: null, step: 0, history: [], partial: { loss: 0, correct: 0, samples: 0 } };
    this.onHandover(reason, Math.max(at.step, this.lastStep));
    const { weights, ...position } = at;
    cpu.start({
      ...input,
      sidecar: weights ?? input.sidecar,
      options: {
        ...input.options,
        startPaused: this.paused,
        ...(this.stepsPerSecond !== undefined ? { stepsPerSecond: this.stepsPerSecond } : {}),
        ...(this.watching !== undefined ? { watch: this.watching } : {}),
        ...(from || this.lastStep > 0 ? { resume: { ...position, replayTo: this.lastStep } } : {}),
      },
    });
    if (this.stopping) cpu.stop();
  }

  start(input: RunInput): void {
    this.input = input;
    this.paused = !!input.options.startPaused;
    this.current.start(input);
  }
  // Pause and Step are remembered when asked, not when the WebGPU run confirms them: a run lost in between still
  // goes on paused.
  pause(): void {
    this.paused = true;
    this.current.pause();
  }
  resume(): void {
    this.paused = false;
    this.current.resume();
  }
  step(unit: StepUnit): void {
    this.paused = true;
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
