/** Messages between the extension host's training session and its worker thread. */
import type { EpochMetrics, ExternalData } from '../../engine';

export interface RunOptions {
  epochs?: number;
  batchSize?: number;
  /** Stream gradient snapshots (the live overlay). */
  overlay: boolean;
  /** At most this many overlay updates per second. */
  maxUpdatesPerSecond: number;
  /** Evaluate the decision boundary on a grid for 2-D inputs (cells per side, 0 = off). */
  boundaryGrid: number;
}

export type ToWorker =
  | { type: 'start'; modelText: string; sidecar: Uint8Array | null; external: ExternalData; options: RunOptions }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export interface GradientUpdate {
  step: number;
  /** RMS gradient per edge index (0 where no gradient flowed). */
  edges: number[];
  /** Per edge index: 'vanishing' | 'exploding' | null. */
  flags: (EdgeFlag | null)[];
  /** L2 norm of each node's parameter gradients. */
  paramNorms: Record<string, number>;
}

export type EdgeFlag = 'vanishing' | 'exploding';

export interface ProgressUpdate {
  step: number;
  epoch: number;
  epochs: number;
  stepsPerEpoch: number;
  loss: number;
  accuracy?: number;
  samplesPerSecond: number;
}

export type FromWorker =
  | { type: 'started'; stepsPerEpoch: number; epochs: number; classification: boolean; trainSize: number; validationSize: number; learned: { classes?: string[] } }
  | { type: 'progress'; progress: ProgressUpdate }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'gradients'; update: GradientUpdate }
  | { type: 'boundary'; step: number; grid: number; extent: number; values: Float32Array }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; reason: 'completed' | 'stopped'; weights: Uint8Array; history: EpochMetrics[] }
  | { type: 'nonFinite'; step: number; nodeId: string; detail: string; weights: Uint8Array; history: EpochMetrics[] }
  | { type: 'failed'; message: string };
