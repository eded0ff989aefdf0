/**
 * How an op lowers to each export target: the shapes of the `lower` fields every op declaration
 * (OpSpec.lower) must fill, and the small helpers those lowerings share. Each target's generator walks
 * the graph and calls the node's lowering; it never switches on op names, so a new op cannot be
 * forgotten by a target: leaving a field out is a compile error.
 */
import type { NodeInfo } from '../graph/analyze';
import type { Dim, TensorType } from '../graph/types';
import type { KernelName } from './kernels';
import { num } from './header';

/** Input and Target: the caller provides the tensor; each target reads (and checks) it its own way. */
export const FED = 'fed';
export type Fed = typeof FED;

/** A loss: computed in training only, so no inference target (standalone, ONNX) ever lowers it. */
export const TRAINING_ONLY = 'training only';
export type TrainingOnly = typeof TRAINING_ONLY;

/** What the `engine` target's lowering of one node gets: its node and the expressions it computes from. */
export interface EngineNode {
  node: NodeInfo;
  /** Locals holding the inputs, in port order. */
  xs: string[];
  /** The inputs' static types, in port order. */
  types: TensorType[];
  /** The expression of a parameter or buffer the node has (`weight`, `running_mean`). */
  param(name: string): string;
  /** A parameter's expression, or `null` where the node has none (Linear without bias). */
  optional(name: string): string;
  has(name: string): boolean;
}

/** One node as the engine's API computes it: `bp.linear(x, p.fc1_weight, p.fc1_bias)`. */
export type EngineLowering = (c: EngineNode) => string;

/** A local of the standalone module: its name and its static type. */
export interface StandaloneArg {
  name: string;
  type: TensorType;
}

/** What the `standalone` target's lowering of one node gets. */
export interface StandaloneNode {
  node: NodeInfo;
  xs: StandaloneArg[];
  out: TensorType;
  /** A weight's expression (`w["fc1.weight"]`), or `null` where the node has none. */
  weight(name: string): string;
}

/** One node at inference over Float32Arrays, and the kernel (from engine/codegen/kernels.ts) it calls, if any. */
export type StandaloneLowering = (c: StandaloneNode) => { expr: string; kernel?: KernelName };

/** Every lowering of one op; each field is required (FED and TRAINING_ONLY say why one does not apply). */
export interface OpLowerings {
  engine: EngineLowering | Fed;
  standalone: StandaloneLowering | Fed | TrainingOnly;
}

// ---- helpers the TypeScript lowerings share

/** `batch`, `batch * 400`, `26`: the number of values of a static shape, with `batch` for N. */
export function sizeExpr(shape: readonly Dim[]): string {
  let c = 1;
  let batches = 0;
  for (const d of shape) {
    if (d === 'N') batches++;
    else c *= d;
  }
  const parts = [...Array<string>(batches).fill('batch'), ...(c !== 1 || batches === 0 ? [String(c)] : [])];
  return parts.join(' * ');
}

export const dimExpr = (d: Dim): string => (d === 'N' ? 'batch' : String(d));
export const shapeExpr = (shape: readonly Dim[]): string => `[${shape.map(dimExpr).join(', ')}]`;

/** A window pair as the engine's ops take it: one number when both sides agree (`2`, not `[2, 2]`). */
export const pairLiteral = ([h, w]: readonly [number, number]): string => (h === w ? num(h) : `[${num(h)}, ${num(w)}]`);

/** The dims a Sum or Mean reduces: its `dim` attribute as a list, or every dim but the batch when it has none. */
export function reducedDims(dim: unknown, rank: number): number[] {
  if (dim === undefined) return Array.from({ length: rank - 1 }, (_, i) => i + 1);
  return Array.isArray(dim) ? (dim as number[]) : [dim as number];
}
