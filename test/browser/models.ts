// Small models for the browser tests.
import type { ModelJson } from '../../engine/graph/types';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';

export const mlp = (): ModelJson => structuredClone(mlpClassifier.model) as unknown as ModelJson;

export const empty = (): ModelJson => ({ format: 'nn-graph', version: 1, name: 'Empty model', nodes: [], edges: [] });

/** x → add(port 0) → fc, with add's port 1 free: fc → add would close a cycle. */
export const withAdd = (): ModelJson => ({
  format: 'nn-graph',
  version: 1,
  name: 'Add',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [4] }, ui: { x: 0, y: 0 } },
    { id: 'add', op: 'Add', ui: { x: 220, y: 0 } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 4 }, ui: { x: 440, y: 0 } },
    { id: 'act', op: 'ReLU', ui: { x: 660, y: 0 } },
  ],
  edges: [
    { from: 'x', to: 'add', port: 0 },
    { from: 'add', to: 'fc' },
  ],
});

/** Two unconnected nodes. */
export const twoNodes = (): ModelJson => ({
  format: 'nn-graph',
  version: 1,
  name: 'Two nodes',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] }, ui: { x: 0, y: 0 } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 8 }, ui: { x: 300, y: 60 } },
  ],
  edges: [],
});

export const text = (m: unknown): string => JSON.stringify(m, null, 2);
