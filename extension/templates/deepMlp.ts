import type { NnEdge, NnModel, NnNode } from './types';

/** How deep the gradient templates are: ten Linear layers, as in the measurement. */
export const DEEP_LAYERS = 10;
const WIDTH = 16;
const COLUMN = 170;
const ROW = 120;

/**
 * A 10-layer MLP for the 2-D circle set: (Linear 16 → activation) × 9 → Linear 2 → cross-entropy, with one
 * column per layer (its Linear above its activation; the last column the head, the loss and the Target), so it
 * opens fitted in a canvas 900 px wide. With `residual`, layers 2 to 9 add their output to their
 * input (`skip` nodes, a row of their own, so the residual stream runs straight along the bottom).
 */
export function deepMlp(name: string, activation: 'Sigmoid' | 'ReLU', residual: boolean, description: string): NnModel {
  const nodes: NnNode[] = [{ id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: ROW } }];
  const edges: NnEdge[] = [];
  let stream = 'x';
  for (let i = 1; i < DEEP_LAYERS; i++) {
    const fc = `fc${i}`,
      act = `act${i}`;
    nodes.push(
      { id: fc, op: 'Linear', attrs: { outFeatures: WIDTH }, ui: { x: i * COLUMN, y: 0 } },
      { id: act, op: activation, ui: { x: i * COLUMN, y: ROW } },
    );
    edges.push({ from: stream, to: fc }, { from: fc, to: act });
    if (residual && i > 1) {
      const skip = `skip${i}`;
      nodes.push({ id: skip, op: 'Add', ui: { x: i * COLUMN, y: 2 * ROW } });
      edges.push({ from: act, to: skip, port: 0 }, { from: stream, to: skip, port: 1 });
      stream = skip;
    } else {
      stream = act;
    }
  }
  const head = `fc${DEEP_LAYERS}`;
  nodes.push(
    { id: head, op: 'Linear', attrs: { outFeatures: 2 }, ui: { x: DEEP_LAYERS * COLUMN, y: 0 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' }, ui: { x: DEEP_LAYERS * COLUMN, y: 2 * ROW } },
    { id: 'loss', op: 'CrossEntropyLoss', ui: { x: DEEP_LAYERS * COLUMN, y: ROW } },
  );
  edges.push({ from: stream, to: head }, { from: head, to: 'loss', port: 0 }, { from: 'y', to: 'loss', port: 1 });
  return {
    format: 'nn-graph',
    version: 1,
    name,
    description,
    nodes,
    edges,
    // The same data, seed and optimizer for the three depths, so they differ only in the activation and the skips.
    training: {
      seed: 0,
      optimizer: { type: 'Adam', lr: 0.01 },
      batchSize: 16,
      epochs: 30,
      validationSplit: 0.2,
      dataset: { source: 'circle', size: 400, noise: 0.1 },
    },
  };
}
