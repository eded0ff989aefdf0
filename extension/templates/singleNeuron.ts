import type { ModelTemplate } from './types';

/**
 * micrograd's neuron (Karpathy's "spelled-out intro to neural networks and backpropagation"): o = tanh(x₁w₁ + x₂w₂ + b)
 * with its example values, on one inline row, so every value and gradient of a step can be checked by hand.
 */
export const singleNeuron: ModelTemplate = {
  id: 'single-neuron',
  label: 'Single neuron (micrograd)',
  description: 'Input x [2] → Linear 1 → Tanh → squared error to 1, on one inline row with micrograd’s weights',
  model: {
    format: 'nn-graph',
    version: 1,
    name: 'Single neuron (micrograd)',
    description:
      'micrograd’s neuron o = tanh(x₁w₁ + x₂w₂ + b) with x = (2, 0), w = (−3, 1), b = 6.8814 (inline params) and target 1. ' +
      'Step once and check it by hand: n = 0.8814, o = 0.7071, loss = (o − 1)² = 0.0858; backward, ∂L/∂o = 2(o − 1) = −0.586, ' +
      'tanh′ = 1 − o² = 0.5, so ∂L/∂n = −0.293, ∂L/∂w₁ = x₁·∂L/∂n = −0.586, ∂L/∂w₂ = 0 (x₂ is 0) and ∂L/∂b = −0.293. ' +
      'Hover each node for its value and the gradient arriving at it. Every run starts from these values (inline params win over the weights file).',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: 80 } },
      { id: 'n', op: 'Linear', attrs: { outFeatures: 1 }, ui: { x: 180, y: 80 } },
      { id: 'o', op: 'Tanh', ui: { x: 360, y: 80 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] }, ui: { x: 360, y: 220 } },
      { id: 'loss', op: 'MSELoss', ui: { x: 540, y: 150 } },
    ],
    edges: [
      { from: 'x', to: 'n' },
      { from: 'n', to: 'o' },
      { from: 'o', to: 'loss', port: 0 },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: {
      'n.weight': { shape: [1, 2], data: [-3, 1] },
      'n.bias': { shape: [1], data: [6.8813735870195432] },
    },
    training: {
      seed: 0,
      optimizer: { type: 'SGD', lr: 0.1 },
      batchSize: 1,
      epochs: 50,
      // One row: x₁ = 2, x₂ = 0, target 1.
      dataset: { source: 'inline', rows: [[2, 0, 1]] },
    },
  },
};
