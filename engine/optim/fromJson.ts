/** The optimizer a model's training.optimizer names, with the spec's defaults (Adam, lr 0.001 when absent). */
import type { Tensor } from '../tensor';
import type { OptimizerJson } from '../graph/types';
import { Adam, AdamW } from './adam';
import type { Optimizer } from './optimizer';
import { SGD } from './sgd';

export function createOptimizer(spec: OptimizerJson | undefined, params: readonly Tensor[]): Optimizer {
  const o = spec ?? { type: 'Adam', lr: 1e-3 };
  switch (o.type) {
    case 'SGD':
      if (o.lr === undefined) throw new Error('training.optimizer.lr is required for SGD');
      return new SGD(params, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov });
    case 'Adam':
      return new Adam(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
    case 'AdamW':
      return new AdamW(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
    default:
      throw new Error(`unknown optimizer type ${JSON.stringify((o as { type: unknown }).type)}`);
  }
}
