/** The subset of the *.nn.json format (../shared/spec/graph-format.md) that templates write. */
export interface NnNode {
  id: string;
  op: string;
  attrs?: Record<string, unknown>;
  ui?: { x: number; y: number };
}

export interface NnEdge {
  from: string;
  to: string;
  port?: number;
}

export interface NnModel {
  format: 'nn-graph';
  version: 1;
  name: string;
  nodes: NnNode[];
  edges: NnEdge[];
  training?: Record<string, unknown>;
}

/** A starting point offered by "Backprop Studio: New Model". */
export interface ModelTemplate {
  id: string;
  label: string;
  description: string;
  /** The model written to the new file; an empty `name` is replaced by the file's base name. */
  model: NnModel;
}
