import type { ModelTemplate } from './types';

export const emptyModel: ModelTemplate = {
  id: 'empty',
  label: 'Empty model',
  description: 'No nodes: start from scratch',
  model: { format: 'nn-graph', version: 1, name: '', nodes: [], edges: [] },
};
