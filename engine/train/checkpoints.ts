/**
 * The checkpoints of a run that another runner may have to take over (the WebGPU run, handed to the CPU if the GPU
 * fails): the weights, the optimizer's state and the trainer's position, at every epoch's end, at most about once a
 * second in between, and whenever the run comes to rest. Reads are started at once and complete while the next steps
 * run (engine/backend/readback.ts, readNow): taking one does not wait for the GPU.
 */
import { encodeSafetensors } from '../io/safetensors';
import type { GraphModel } from '../graph/model';
import type { OptimizerState } from '../optim/optimizer';
import type { Trainer, TrainerPosition } from './trainer';

/** At most about this often mid-epoch: what a takeover trains again is about this much of the run's time. */
export const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * A large model's checkpoints come less often, so that they cross to the host at about this rate at most (weights and
 * Adam's two moments: 12 bytes a parameter; a 10-million-parameter model every 12 s).
 */
export const CHECKPOINT_BYTES_PER_SECOND = 10 * 1024 * 1024;

/** The run after `step` steps: everything a runner needs to go on from there exactly. */
export interface RunCheckpoint extends TrainerPosition {
  /** Epochs done. */
  epoch: number;
  /** The weights, as safetensors bytes. */
  weights: Uint8Array;
  optimizer: OptimizerState;
}

export class Checkpoints {
  private takenAt = -1;
  private lastTime = -Infinity;
  private inFlight = false;
  private interval = CHECKPOINT_INTERVAL_MS;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: GraphModel,
    private readonly trainer: Trainer,
    private readonly send: (c: RunCheckpoint) => void,
    private readonly now: () => number,
  ) {}

  /** After a step: one at an epoch's end (`weights`: its weights, already being read), or when the last is a second old. */
  afterStep(epochEnd: boolean, weights?: Promise<Uint8Array>): void {
    const t = this.now();
    if (epochEnd || (!this.inFlight && t - this.lastTime >= this.interval)) this.take(t, weights);
  }

  /** The run is paused: one of this step unless taken already, and all of them posted before it waits. */
  async atRest(): Promise<void> {
    if (this.takenAt !== this.trainer.step) this.take(this.now());
    await this.pending;
  }

  private take(t: number, weights = this.model.stateDict().then(encodeSafetensors)): void {
    this.takenAt = this.trainer.step;
    this.lastTime = t;
    this.inFlight = true;
    const at: Omit<RunCheckpoint, 'weights' | 'optimizer'> = { ...this.trainer.position(), epoch: this.trainer.epoch };
    const optimizer = this.trainer.optimizer.exportState();
    const previous = this.pending;
    this.pending = Promise.all([weights, optimizer, previous])
      .then(
        ([w, o]) => {
          const bytes = w.byteLength + o.params.reduce((n, p) => n + Object.values(p?.buffers ?? {}).reduce((m, b) => m + b.byteLength, 0), 0);
          this.interval = Math.max(CHECKPOINT_INTERVAL_MS, (1000 * bytes) / CHECKPOINT_BYTES_PER_SECOND);
          this.send({ ...at, weights: w, optimizer: o });
        },
        // A read that failed: the device is lost or broken, which the runner reports itself; the last checkpoint stands.
        () => undefined,
      )
      .finally(() => (this.inFlight = false));
  }
}
