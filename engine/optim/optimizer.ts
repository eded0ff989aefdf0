import type { Tensor } from '../tensor';

/**
 * An optimizer's state, on the host: per parameter (by its index in `params`), its step count and buffers (Adam's
 * moments, SGD's momentum), or null where it has none yet. A run handed to another runner goes on from it.
 */
export interface OptimizerState {
  kind: string;
  params: ({ step?: number; buffers: Record<string, Float32Array> } | null)[];
}

/** What every optimizer offers: PyTorch's step() and zero_grad(). */
export abstract class Optimizer {
  constructor(readonly params: readonly Tensor[]) {
    for (const p of params) if (!p.requiresGrad) throw new Error(`optimizer: parameter ${p.name ?? ''} does not require grad`);
  }
  /**
   * What one step does to a parameter, for the step walk-through: the optimizer with its settings
   * ("Adam, lr 0.01") and its update rule in plain Unicode (g the parameter's gradient).
   */
  abstract describe(): { name: string; rule: string };
  /** Update every parameter that has a gradient; parameters the loss did not reach are skipped, as in PyTorch. */
  abstract step(): void;
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
  /** The state to go on from, as it is when called (read back from the backend; later steps do not change it). */
  abstract exportState(): Promise<OptimizerState>;
  /** Goes on from `state` (exported by the same kind of optimizer over the same parameters); a mismatch throws. */
  abstract importState(state: OptimizerState): void;

  /** The checks importState shares: the kind, one entry per parameter, buffers of the parameter's size. */
  protected checkState(state: OptimizerState, kind: string, names: readonly string[]): void {
    if (state.kind !== kind) throw new Error(`optimizer state: it is ${state.kind}'s, not ${kind}'s`);
    if (state.params.length !== this.params.length) throw new Error(`optimizer state: ${state.params.length} parameters, not ${this.params.length}`);
    state.params.forEach((e, i) => {
      if (!e) return;
      for (const n of names) {
        if (!(e.buffers[n] instanceof Float32Array) || e.buffers[n].length !== this.params[i].size)
          throw new Error(`optimizer state: parameter ${i}'s ${n} is not ${this.params[i].size} values`);
      }
    });
  }
}
