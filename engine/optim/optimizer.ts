import type { Tensor } from '../tensor';

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
}
