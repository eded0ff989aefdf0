import type { ModelTemplate } from './types';

/** The MLP template's layers on the regression plane, with plain SGD at a learning rate far too high. */
export const explodingGradients: ModelTemplate = {
  id: 'exploding-gradients',
  label: 'Exploding gradients: learning rate too high',
  description: 'Input [2] → Linear 16 → ReLU → Linear 16 → ReLU → Linear 1 → squared error, SGD at lr 2.5',
  model: {
    format: 'nn-graph',
    version: 1,
    name: 'Exploding gradients (learning rate too high)',
    description:
      'SGD at learning rate 2.5 on the regression plane: each update overshoots the minimum by more than it corrects, so the weights, the ' +
      'predictions and the gradients grow by orders of magnitude a step. Step through it with the overlay on: the largest edge gradient goes ' +
      'from about 0.1 to 2, 3e3 and 5e13, the edges turn red and are flagged exploding, and at step 5 a value overflows: the NaN guard stops ' +
      'the run, names the node where the non-finite value first appeared and keeps the last good weights. At learning rate 0.1 it trains.',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 40, y: 120 } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 220, y: 120 } },
      { id: 'act1', op: 'ReLU', ui: { x: 400, y: 120 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 580, y: 120 } },
      { id: 'act2', op: 'ReLU', ui: { x: 760, y: 120 } },
      { id: 'fc3', op: 'Linear', attrs: { outFeatures: 1 }, ui: { x: 940, y: 120 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] }, ui: { x: 940, y: 280 } },
      { id: 'loss', op: 'MSELoss', ui: { x: 1120, y: 200 } },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act1' },
      { from: 'act1', to: 'fc2' },
      { from: 'fc2', to: 'act2' },
      { from: 'act2', to: 'fc3' },
      { from: 'fc3', to: 'loss', port: 0 },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: {
      seed: 0,
      optimizer: { type: 'SGD', lr: 2.5 },
      batchSize: 16,
      epochs: 20,
      validationSplit: 0.2,
      dataset: { source: 'regress-plane', size: 400, noise: 0.1 },
    },
  },
};
