import type { ModelTemplate } from './types';

/** A small multi-layer perceptron that classifies 2-D points into two classes (XOR, spirals, moons...). */
export const mlpClassifier: ModelTemplate = {
  id: 'mlp-classifier-2d',
  label: 'MLP classifier for 2-D points',
  description: 'Input [2] → Linear 16 → ReLU → Linear 16 → ReLU → Linear 2 → cross-entropy',
  model: {
    format: 'nn-graph',
    version: 1,
    name: '2-D point classifier',
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
    // Ready to train after New Model: TensorFlow Playground's circle set (two classes, 2-D points).
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
