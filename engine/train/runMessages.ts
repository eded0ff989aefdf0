/**
 * The messages between a training run (engine/train/run.ts) and whoever hosts it: the host's worker thread or the
 * WebGPU runner in the webview. ToWorker controls the run; FromWorker is what it reports. protocol/messages.ts
 * re-exports them, since the webview's runner sends them to the host.
 */
import type { EpochMetrics, TrainerPosition } from './trainer';
import type { NodeStats, ParamStats } from './stats';
import type { StepTrace } from './walkthrough';
import type { ParamImages } from './weightImage';
import type { StepCosts } from './profile';
import type { ExternalData } from '../data/spec';
import type { KernelInfo } from '../backend/wasm/install';
import type { OptimizerState } from '../optim/optimizer';

export interface GradientUpdate {
  step: number;
  /** RMS gradient per edge index (0 where no gradient flowed). */
  edges: number[];
  /** Per edge index: 'vanishing' | 'exploding' | null. */
  flags: (EdgeFlag | null)[];
  /** L2 norm of each node's parameter gradients. */
  paramNorms: Record<string, number>;
  /**
   * Per parameterised node (by id, forward order): its trainable parameters taken together (weight and bias),
   * at this step. The overlay's update-ratio and weight modes and the depth profile draw these.
   */
  params?: Record<string, ParamStats>;
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

/** A 2-D dataset's points, for the decision boundary: x₁, x₂ interleaved, and a label (class index or value) each. */
export interface PointSet {
  xy: number[];
  label: number[];
}

/** At most this many points of each set travel (an even sample of larger sets). */
export const MAX_DATASET_POINTS = 1000;

/** The run's 2-D training and validation points, posted once a run starts. */
export interface DatasetPoints {
  kind: 'classification' | 'regression';
  train: PointSet;
  validation: PointSet;
}

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
  /**
   * A run handed over: go on from `step` (weights in the sidecar), with the history and the optimizer's state of then.
   * Steps up to `replayTo` were already shown by the runner before: they are trained again at once (no pause, pace
   * or Step holds them) and not reported, except the epochs they end.
   */
  resume?: TrainerPosition & { optimizer?: OptimizerState; replayTo?: number };
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
      type: 'started';
      stepsPerEpoch: number;
      epochs: number;
      classification: boolean;
      trainSize: number;
      validationSize: number;
      learned: LearnedData;
      /** Which CPU kernels train: WebAssembly (relaxed or plain SIMD) on how many threads, or TypeScript. */
      kernels: KernelInfo;
    }
  | { type: 'progress'; progress: ProgressUpdate }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'gradients'; update: GradientUpdate }
  | { type: 'boundary'; step: number; grid: number; extent: number; values: Float32Array; kind: 'probability' | 'regression' }
  | { type: 'nodeStats'; step: number; nodes: Record<string, NodeStats> }
  | ({ type: 'stepCosts'; step: number } & StepCosts)
  | { type: 'walkthrough'; trace: StepTrace }
  | { type: 'weights'; nodeId: string; step: number; params: ParamImages[] }
  | { type: 'datasetPoints'; points: DatasetPoints }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; reason: 'completed' | 'stopped'; weights: Uint8Array; history: EpochMetrics[] }
  | { type: 'nonFinite'; step: number; nodeId: string; detail: string; weights: Uint8Array; history: EpochMetrics[] }
  | { type: 'failed'; message: string };
