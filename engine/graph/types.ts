/** The *.nn.json model file (format version 1) as TypeScript types, and the graph's static tensor types. */
import type { DType } from '../backend/backend';

export const FORMAT = 'nn-graph';
export const FORMAT_VERSION = 1;

export interface TensorJson {
  shape: number[];
  data: number[];
}

export interface NodeJson {
  id: string;
  op: string;
  attrs?: Record<string, unknown>;
  ui?: { x?: number; y?: number; [k: string]: unknown };
}

export interface EdgeJson {
  from: string;
  to: string;
  port?: number;
}

export interface OptimizerJson {
  type: 'SGD' | 'Adam' | 'AdamW';
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
}

export interface TrainingJson {
  seed?: number;
  optimizer?: OptimizerJson;
  [k: string]: unknown;
}

export interface ModelJson {
  format: typeof FORMAT;
  version: number;
  name?: string;
  nodes: NodeJson[];
  edges: EdgeJson[];
  params?: Record<string, TensorJson>;
  weights?: string;
  training?: TrainingJson;
  [k: string]: unknown;
}

/** A dimension: a size, or 'N' for the batch, known only at run time. */
export type Dim = number | 'N';

export interface TensorType {
  shape: Dim[];
  dtype: DType;
}

/** `N×128`, `N×1×28×28`, `scalar`. */
export function formatType(t: TensorType | undefined): string {
  if (!t) return '?';
  const s = t.shape.length === 0 ? 'scalar' : t.shape.join('×');
  return t.dtype === 'int32' ? `${s} int32` : s;
}

export type GraphErrorCode =
  | 'bad-json'
  | 'bad-format'
  | 'unsupported-version'
  | 'bad-node'
  | 'invalid-id'
  | 'duplicate-id'
  | 'unknown-op'
  | 'missing-attr'
  | 'bad-attr'
  | 'unknown-attr'
  | 'bad-edge'
  | 'unknown-node'
  | 'port-out-of-range'
  | 'port-taken'
  | 'missing-input'
  | 'extra-input'
  | 'cycle'
  | 'shape-mismatch'
  | 'dtype-mismatch'
  | 'too-large'
  | 'bad-params'
  | 'bad-training';

/** One thing wrong with a model, pinned to the node, edge, port or key at fault. */
export interface GraphError {
  code: GraphErrorCode;
  message: string;
  nodeId?: string;
  edgeIndex?: number;
  port?: number;
  attr?: string;
  /** Key of params/weights, or a JSON path for file-level problems. */
  key?: string;
  expected?: string;
  found?: string;
}

export class GraphValidationError extends Error {
  constructor(readonly errors: GraphError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'GraphValidationError';
  }
}
