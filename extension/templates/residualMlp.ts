import type { ModelTemplate } from './types';

/** An MLP for 2-D points with a skip connection (Add) around two Linear layers, then LayerNorm. */
export const residualMlp: ModelTemplate = {
  id: 'residual-mlp',
  label: 'Residual MLP',
  description: 'Input [2] → Linear 16 → Tanh → (Linear 16 → ReLU → Linear 16) + skip → LayerNorm → Linear 2 → cross-entropy',
  model: {
    format: 'nn-graph',
    version: 1,
    name: 'Residual MLP',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: 100 } },
      { id: 'stem', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 180, y: 100 } },
      { id: 'act0', op: 'Tanh', ui: { x: 360, y: 100 } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 540, y: 40 } },
      { id: 'act1', op: 'ReLU', ui: { x: 720, y: 40 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 16 }, ui: { x: 900, y: 40 } },
      { id: 'skip', op: 'Add', ui: { x: 1080, y: 100 } },
      { id: 'norm', op: 'LayerNorm', ui: { x: 1260, y: 100 } },
      { id: 'head', op: 'Linear', attrs: { outFeatures: 2 }, ui: { x: 1440, y: 100 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' }, ui: { x: 1440, y: 260 } },
      { id: 'loss', op: 'CrossEntropyLoss', ui: { x: 1620, y: 180 } },
    ],
    edges: [
      { from: 'x', to: 'stem' },
      { from: 'stem', to: 'act0' },
      { from: 'act0', to: 'fc1' },
      { from: 'fc1', to: 'act1' },
      { from: 'act1', to: 'fc2' },
      { from: 'fc2', to: 'skip', port: 0 },
      { from: 'act0', to: 'skip', port: 1 },
      { from: 'skip', to: 'norm' },
      { from: 'norm', to: 'head' },
      { from: 'head', to: 'loss', port: 0 },
      { from: 'y', to: 'loss', port: 1 },
    ],
    // The spiral set, as examples/residual-mlp.nn.json trains it.
    training: {
      seed: 0,
      optimizer: { type: 'AdamW', lr: 0.01 },
      batchSize: 32,
      epochs: 60,
      validationSplit: 0.2,
      dataset: { source: 'spiral', size: 600, noise: 0.1 },
    },
  },
};
