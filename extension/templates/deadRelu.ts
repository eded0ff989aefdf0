import type { ModelTemplate } from './types';

/** The MLP template with fc1's biases started at −4 (inline params): most of its ReLUs never fire. */
export const deadRelu: ModelTemplate = {
  id: 'dead-relus',
  label: 'Dead ReLUs: negative bias',
  description: 'Input [2] → Linear 16 (bias −4) → ReLU → Linear 16 → ReLU → Linear 2 → cross-entropy, on the circle',
  model: {
    format: 'nn-graph',
    version: 1,
    name: 'Dead ReLUs (negative bias)',
    description:
      'fc1’s bias starts at −4 for all 16 units (inline params). A unit whose w·x never reaches 4 on the data is negative on every point: its ' +
      'ReLU outputs 0 and passes back no gradient, so its row of fc1.weight and its bias get exactly zero gradient and never change. On the circle 13 of the ' +
      '16 units are dead from the start: hover act1 to see its outputs piled at 0, and the gradient arriving at fc1 mostly zeros. Training ' +
      'stalls near 84% with the three that live. Reset weights removes the params: from the default biases every unit lives and it reaches 99%.',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 40, y: 120 } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 220, y: 120 } },
      { id: 'act1', op: 'ReLU', ui: { x: 400, y: 120 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 580, y: 120 } },
      { id: 'act2', op: 'ReLU', ui: { x: 760, y: 120 } },
      { id: 'fc3', op: 'Linear', attrs: { outFeatures: 2 }, ui: { x: 940, y: 120 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' }, ui: { x: 940, y: 280 } },
      { id: 'loss', op: 'CrossEntropyLoss', ui: { x: 1120, y: 200 } },
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
    params: { 'fc1.bias': { shape: [16], data: Array<number>(16).fill(-4) } },
    training: {
      seed: 0,
      optimizer: { type: 'Adam', lr: 0.01 },
      batchSize: 16,
      epochs: 30,
      validationSplit: 0.2,
      dataset: { source: 'circle', size: 400, noise: 0.1 },
    },
  },
};
