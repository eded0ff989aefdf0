import type { ModelTemplate } from './types';

/** A small convolutional network for 28×28 grey-scale digits (the built-in digits dataset, or MNIST). */
export const cnnDigits: ModelTemplate = {
  id: 'cnn-digits',
  label: 'CNN for 28×28 digits',
  description: 'Input [1, 28, 28] → 2 × (Conv2d 3×3 → ReLU → MaxPool 2) → Flatten → Linear 10 → cross-entropy',
  model: {
    format: 'nn-graph',
    version: 1,
    name: 'CNN for 28×28 digits',
    nodes: [
      { id: 'image', op: 'Input', attrs: { shape: [1, 28, 28] }, ui: { x: 0, y: 100 } },
      { id: 'conv1', op: 'Conv2d', attrs: { outChannels: 8, kernelSize: 3 }, ui: { x: 180, y: 100 } },
      { id: 'relu1', op: 'ReLU', ui: { x: 360, y: 100 } },
      { id: 'pool1', op: 'MaxPool2d', attrs: { kernelSize: 2 }, ui: { x: 540, y: 100 } },
      { id: 'conv2', op: 'Conv2d', attrs: { outChannels: 16, kernelSize: 3 }, ui: { x: 720, y: 100 } },
      { id: 'relu2', op: 'ReLU', ui: { x: 900, y: 100 } },
      { id: 'pool2', op: 'MaxPool2d', attrs: { kernelSize: 2 }, ui: { x: 1080, y: 100 } },
      { id: 'flat', op: 'Flatten', ui: { x: 1260, y: 100 } },
      { id: 'logits', op: 'Linear', attrs: { outFeatures: 10 }, ui: { x: 1440, y: 100 } },
      { id: 'label', op: 'Target', attrs: { shape: [], dtype: 'int32' }, ui: { x: 1440, y: 260 } },
      { id: 'loss', op: 'CrossEntropyLoss', ui: { x: 1620, y: 180 } },
    ],
    edges: [
      { from: 'image', to: 'conv1' },
      { from: 'conv1', to: 'relu1' },
      { from: 'relu1', to: 'pool1' },
      { from: 'pool1', to: 'conv2' },
      { from: 'conv2', to: 'relu2' },
      { from: 'relu2', to: 'pool2' },
      { from: 'pool2', to: 'flat' },
      { from: 'flat', to: 'logits' },
      { from: 'logits', to: 'loss', port: 0 },
      { from: 'label', to: 'loss', port: 1 },
    ],
    // The 5 000 handwritten digits shipped with the extension, as examples/mnist-cnn.nn.json trains them.
    training: {
      seed: 0,
      optimizer: { type: 'Adam', lr: 0.001 },
      batchSize: 32,
      epochs: 3,
      validationSplit: 0.1,
      dataset: { source: 'digits' },
    },
  },
};
