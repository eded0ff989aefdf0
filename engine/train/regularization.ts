/**
 * L1 regularisation of dataset training (`training.l1`): λ·Σ|w| over the weights of the layers that
 * have them (Linear, Conv2d, Embedding), added to the loss so that backward adds λ·sign(w) to each weight's
 * gradient (sign(0) = 0, as PyTorch's abs). Biases and normalisation layers' scale and shift are left
 * alone, as is usual: penalising them shrinks nothing that overfits. (L2 is the optimizer's weightDecay.)
 */
import { abs } from '../ops/unary';
import { addN, mulScalar } from '../ops/binary';
import { sum } from '../ops/reduce';
import type { GraphModel } from '../graph/model';
import type { Tensor } from '../tensor';

/** The rate λ of `training.l1`: 0 when absent or not a non-negative number (the analyzer reports that). */
export function readL1(training: unknown): number {
  const v = typeof training === 'object' && training !== null ? (training as { l1?: unknown }).l1 : undefined;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

/** The weights the penalty covers, by state-dict key, in forward order. */
export function l1Weights(model: GraphModel): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  for (const id of model.order) {
    for (const p of model.nodes.get(id)!.params) if (p.l1) out.push([p.key, model.state.get(p.key)!]);
  }
  return out;
}

/**
 * λ·Σ|w| as a scalar tensor on the autograd tape (add it to the loss before backward), or null when λ is 0
 * or the model has no such weights.
 */
export function l1Penalty(model: GraphModel, lambda: number): Tensor | null {
  if (!(lambda > 0)) return null;
  const ws = l1Weights(model);
  if (!ws.length) return null;
  return mulScalar(addN(ws.map(([, w]) => sum(abs(w)))), lambda);
}
