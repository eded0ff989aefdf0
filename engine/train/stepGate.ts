/**
 * When the training loop may take its next step: the RunControl of the worker (and of tests). It holds the
 * run while paused, lets Step through one step (or the rest of the epoch) and pauses again, and paces the
 * run to a number of steps a second so that a person can follow every one. No worker or VS Code import.
 */
import { now as clockNow } from '../clock';
import type { RunControl, RunPosition } from './run';
import type { FromWorker, RunOptions, StepUnit } from './runMessages';

type Immediate = (f: () => void) => unknown;
/** The host's timers and channels: the engine's types include neither the DOM nor Node (engine/clock.ts). */
const host = globalThis as unknown as {
  setImmediate?: Immediate;
  setTimeout(f: () => void, ms: number): unknown;
  MessageChannel: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(m: unknown): void } };
};
const immediate = host.setImmediate;
/**
 * One macrotask: setImmediate in Node; in a browser (the webview's WebGPU runner) a MessageChannel message, which,
 * unlike setTimeout(0), is not clamped to 4 ms once nested.
 */
function yieldToEventLoop(): Promise<void> {
  if (immediate) return new Promise<void>((r) => immediate(r));
  return new Promise<void>((r) => {
    // Only where setImmediate is missing: a page or a browser worker.
    const channel = new host.MessageChannel();
    const port = channel.port1;
    port.onmessage = () => {
      port.close();
      r();
    };
    channel.port2.postMessage(null);
  });
}

export class StepGate implements RunControl {
  private paused = false;
  private stopped = false;
  /** Steps Step still lets through; 'epoch' until the current epoch ends (resolved at the next step). */
  private allowance: number | 'epoch' = 0;
  private stepsPerSecond: number | null = null;
  private lastStepAt = -Infinity;
  private wake: (() => void) | null = null;
  /** Started paused: 'paused' is posted when the run first waits (after 'started', which the session needs first). */
  private announce = false;
  /** Walk through step asked for a traced step; `tracing`: the step just let through is that one. */
  private walk = false;
  private tracing = false;
  private watchedNode: string | null = null;

  constructor(
    private readonly post: (m: Extract<FromWorker, { type: 'paused' | 'resumed' }>) => void,
    private readonly now: () => number = clockNow,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => host.setTimeout(r, ms)),
  ) {}

  configure(options: Pick<RunOptions, 'stepsPerSecond' | 'startPaused' | 'watch'>): void {
    this.stepsPerSecond = options.stepsPerSecond ?? null;
    this.watchedNode = options.watch ?? null;
    if (options.startPaused) this.paused = this.announce = true;
  }

  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.post({ type: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = this.announce = false;
    this.allowance = 0;
    this.walk = false;
    this.post({ type: 'resumed' });
    this.wakeUp();
  }

  /** One step (traced for the walk-through with 'walk'), or the rest of the epoch; a running run is paused after it. */
  step(unit: StepUnit): void {
    if (this.stopped) return;
    this.pause();
    this.allowance = unit === 'epoch' ? 'epoch' : 1;
    this.walk = unit === 'walk';
    this.wakeUp();
  }

  /** Whether the step next() just let through is to be traced (Walk through step). */
  traceNext(): boolean {
    return this.tracing;
  }

  /** The node whose weights the view watches; a paused run posts them at once (it settles again). */
  watch(nodeId: string | null): void {
    this.watchedNode = nodeId;
    this.wakeUp();
  }

  watched(): string | null {
    return this.watchedNode;
  }

  pace(stepsPerSecond: number | null): void {
    this.stepsPerSecond = stepsPerSecond && stepsPerSecond > 0 ? stepsPerSecond : null;
    this.wakeUp();
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp();
  }

  async next(settle: () => Promise<void>, at: RunPosition): Promise<'go' | 'stop'> {
    // Yield to the event loop every step so control messages are seen promptly (and a page stays responsive).
    await yieldToEventLoop();
    for (;;) {
      if (this.stopped) return 'stop';
      if (this.paused && this.allowance === 'epoch') this.allowance = at.stepsPerEpoch - (at.step % Math.max(1, at.stepsPerEpoch));
      if (this.held()) {
        // Paused: the view shows the last step before the run waits.
        if (this.announce) {
          this.announce = false;
          this.post({ type: 'paused' });
        }
        await settle();
        if (this.stopped || !this.held()) continue;
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      await this.paceWait();
      // A Pause that came while the pace held the step back holds it for good: no step is taken after Pause.
      if (this.stopped || !this.held()) break;
    }
    if (this.stopped) return 'stop';
    // Decided here, with the step it belongs to: a Step or Walk that arrives later is for the step after.
    this.tracing = this.paused && this.walk && this.allowance === 1;
    if (this.tracing) this.walk = false;
    if (this.paused && typeof this.allowance === 'number' && this.allowance > 0) this.allowance--;
    this.lastStepAt = this.now();
    return 'go';
  }

  /** Paused with no step allowed (Step's allowance used up). */
  private held(): boolean {
    return this.paused && !(typeof this.allowance === 'number' && this.allowance > 0);
  }

  /** At a set pace, the next step waits until 1/pace seconds after the last one (woken early by a change of pace or stop). */
  private async paceWait(): Promise<void> {
    for (;;) {
      const pace = this.stepsPerSecond;
      if (!pace || this.stopped) return;
      const wait = this.lastStepAt + 1000 / pace - this.now();
      if (wait <= 0) return;
      await Promise.race([this.sleep(Math.min(wait, 250)), new Promise<void>((r) => (this.wake = r))]);
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
