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
  /** A note for the person who opens the model: what it shows and what to look for (docs/file-format.md). */
  description?: string;
  nodes: NnNode[];
  edges: NnEdge[];
  /** Inline starting values, keyed "<nodeId>.<name>" (they win over the weights file). */
  params?: Record<string, { shape: number[]; data: number[] }>;
  training?: Record<string, unknown>;
}

/**
 * A starting point offered by "Backprop Studio: New Model". The quick pick shows `label`, then `description` (the
 * architecture, on the same line) and the model's own `description`, its note, under them: the note is written
 * into the new file, where the editor shows it while nothing is selected.
 */
export interface ModelTemplate {
  id: string;
  label: string;
  /** The architecture in one line. */
  description: string;
  /** The model written to the new file; an empty `name` is replaced by the file's base name. */
  model: NnModel;
}
