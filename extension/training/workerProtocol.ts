/** Messages between the extension host's training session and its worker thread. */
import type { EpochMetrics, ExternalData, KernelInfo } from '../../engine';
import type { DatasetPointsMessage, GradientUpdate, NodeStats, ParamImages, ProgressUpdate, StepCostsMessage, StepTrace } from '../../protocol/messages';

export type { GradientUpdate, ProgressUpdate, EdgeFlag } from '../../protocol/messages';

export interface RunOptions {
  epochs?: number;
  batchSize?: number;
  /** Stream gradient snapshots (the live overlay). */
  overlay: boolean;
  /** At most this many overlay updates per second. */
  maxUpdatesPerSecond: number;
  /** Evaluate the decision boundary on a grid for 2-D inputs (cells per side, 0 = off). */
  boundaryGrid: number;
  /** Optimizer steps a second (null or absent: as fast as possible); changed during a run by `pace`. */
  stepsPerSecond?: number | null;
  /** Start paused (Step on a model that is not training: the run waits for its `step`). */
  startPaused?: boolean;
  /** The node whose weights the view watches from the start (changed during a run by `watch`). */
  watch?: string | null;
}

/** What Step advances by: one optimizer step, to the end of the current epoch, or one step traced for the walk-through. */
export type StepUnit = 'step' | 'epoch' | 'walk';

export type ToWorker =
  | { type: 'start'; modelText: string; sidecar: Uint8Array | null; external: ExternalData; options: RunOptions }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Take one step (or finish the epoch), then be paused; pauses a running run after it. */
  | { type: 'step'; unit: StepUnit }
  | { type: 'pace'; stepsPerSecond: number | null }
  /** The node whose weights to post (null: none). */
  | { type: 'watch'; nodeId: string | null }
  | { type: 'stop' };

/** What the data pipeline learned, to be stored in the model's training.dataset. */
export interface LearnedData {
  classes?: string[];
  normalization?: { mean: number[]; std: number[] };
}

export type FromWorker =
  | {
      type: 'started'; stepsPerEpoch: number; epochs: number; classification: boolean; trainSize: number; validationSize: number; learned: LearnedData;
      /** Which CPU kernels train: WebAssembly (relaxed or plain SIMD) on how many threads, or TypeScript. */
      kernels: KernelInfo;
    }
  | { type: 'progress'; progress: ProgressUpdate }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'gradients'; update: GradientUpdate }
  | { type: 'boundary'; step: number; grid: number; extent: number; values: Float32Array; kind: 'probability' | 'regression' }
  | { type: 'nodeStats'; step: number; nodes: Record<string, NodeStats> }
  | StepCostsMessage
  | { type: 'walkthrough'; trace: StepTrace }
  | { type: 'weights'; nodeId: string; step: number; params: ParamImages[] }
  | { type: 'datasetPoints'; points: Omit<DatasetPointsMessage, 'type'> }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; reason: 'completed' | 'stopped'; weights: Uint8Array; history: EpochMetrics[] }
  | { type: 'nonFinite'; step: number; nodeId: string; detail: string; weights: Uint8Array; history: EpochMetrics[] }
  | { type: 'failed'; message: string };
