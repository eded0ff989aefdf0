/** Messages between the extension host's gradient check and its worker thread. */
import type { ExternalData, GradCheckResult } from '../../engine';

/** What one check runs on: the model as it is in the editor, its weights file, and its dataset's files. */
export interface CheckRequest {
  modelText: string;
  sidecar: Uint8Array | null;
  external: ExternalData;
  /** Only this node's tensors (the Inspector's button). */
  nodeId?: string;
  samples?: number;
  eps?: number;
}

export type ToCheckWorker = { type: 'check' } & CheckRequest;

export type CheckOutcome =
  | { type: 'result'; result: GradCheckResult }
  /** `nonFinite`: the loss or a gradient is not finite, so nothing could be compared. */
  | { type: 'failed'; message: string; nonFinite?: boolean };

export type FromCheckWorker = { type: 'progress'; done: number; total: number } | CheckOutcome;
