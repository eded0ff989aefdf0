/**
 * The op registry: every op of the model format declared once — category, attributes, input ports,
 * parameters, shape rule, forward, cost and every export lowering. The palette, the inspector, the JSON
 * Schema, validation, the runtime, the profiler and every export target read it.
 */
import type { Tensor } from '../tensor';
import type { Random } from '../nn/random';
import type { AttrSpec, Attrs } from './attrs';
import type { Dim, TensorType } from './types';
import type { DType } from '../backend/backend';
import type { OpLowerings } from '../codegen/lowering';

export type Category = 'Inputs' | 'Layers' | 'Activations' | 'Normalization' | 'Merge' | 'Math' | 'Losses';
export const CATEGORIES: readonly Category[] = ['Inputs', 'Layers', 'Activations', 'Normalization', 'Merge', 'Math', 'Losses'];

/** Fixed named ports, or a variadic list (ports 0..n-1, at least min). */
export type InputSpec = { ports: readonly string[] } | { variadic: string; min: number };

export type InitKind =
  { kind: 'kaimingUniform'; fanIn: number } | { kind: 'biasUniform'; fanIn: number } | { kind: 'ones' } | { kind: 'zeros' } | { kind: 'normal'; std: number };

export interface ParamSpec {
  /** PyTorch's name: weight, bias, running_mean, running_var. */
  name: string;
  shape: number[];
  init: InitKind;
  /** A buffer is state, not trained (BatchNorm's running statistics). */
  buffer?: boolean;
  /** A weight `training.l1` penalises (Linear, Conv2d, Embedding weights; never biases or norm scales). */
  l1?: boolean;
}

export interface ForwardContext {
  params: Record<string, Tensor>;
  training: boolean;
  /** Whether Dropout drops: in training, unless the pass turned it off (the gradient check: ForwardOptions.dropout). */
  dropout: boolean;
  /** For ops with randomness (Dropout): a stream keyed by seed, step and node. */
  rng(): Random;
}

/**
 * A windowed op's kernel, stride and padding, each as [h, w] with its default applied: what a Conv2d or pooling node's
 * attributes mean, decided in one place (OpSpec.window) that the shape rule, forward, cost and both code targets read.
 */
export interface Window {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** Floating-point operations of one op over a batch: its forward, and its backward (every gradient the engine computes). */
export interface OpFlops {
  forward: number;
  backward: number;
}

export interface OpSpec {
  op: string;
  category: Category;
  summary: string;
  /**
   * What the op computes, as a short plain-Unicode formula in PyTorch's conventions (`y = x·Wᵀ + b`): x the input,
   * y the output, ℓ a loss, W and b the parameters. Shown on the node's hover card.
   */
  formula: string;
  /** What the formula's symbols are, where that is not plain (`W: [outFeatures, inFeatures]`); shown under it. */
  formulaNote?: string;
  /**
   * The local derivative its backward applies, as a short plain-Unicode line in the formula's symbols, with g the
   * gradient arriving (∂ℓ/∂y): `∂ℓ/∂x = g · (1 − y²)`. The step walk-through shows it as the node's chain-rule step.
   * Every op but the sources (fed, never differentiated) has one.
   */
  backwardNote?: string;
  attrs: readonly AttrSpec[];
  inputs: InputSpec;
  /** Attributes shown on the node in the editor. */
  keyAttrs?: readonly string[];
  isLoss?: boolean;
  /** Input and Target: fed at run time. */
  isSource?: boolean;
  /**
   * How training mode changes the op, where it does: `random` (Dropout: a seeded mask per step, the identity in eval),
   * `statistics` (BatchNorm1d: batch statistics and running estimates in training, the estimates in eval).
   */
  trainMode?: 'random' | 'statistics';
  /** Output type from input types; throws ShapeRuleError when they do not fit. */
  infer(inputs: readonly TensorType[], attrs: Attrs): TensorType;
  params?(inputs: readonly TensorType[], attrs: Attrs): ParamSpec[];
  forward(inputs: readonly Tensor[], attrs: Attrs, ctx: ForwardContext): Tensor;
  /**
   * The op's analytic cost in a training step, for the cost meter and `backprop-studio profile`: types with the batch
   * dimension N standing for `batch`. A multiply-add counts 2, any other arithmetic, comparison or elementary function
   * (exp, log, tanh, erf) 1; copies, gathers and reshapes 0 (docs/training.md#the-cost-meter lists each op's rule).
   * `needsGrad[port]`: whether that input wants a gradient; the engine computes none for an input that does not (the
   * first layer's input gradient), so neither is it counted. Parameters always get theirs.
   */
  flops(inputs: readonly TensorType[], attrs: Attrs, output: TensorType, batch: number, needsGrad: readonly boolean[]): OpFlops;
  /**
   * Ops with a sliding window (Conv2d, the pools): their attributes (defaults filled in, as resolveAttrs gives them)
   * normalised to pairs. Every consumer reads this rather than re-deriving a pair or a default stride.
   */
  window?(attrs: Attrs): Window;
  /**
   * How the op is written out by each export target (engine/codegen/lowering.ts). Every field is required, so a new
   * op cannot reach a target that does not know it: the generators call these and never switch on op names.
   */
  lower: OpLowerings;
}

/** How many values a static type holds when its batch dimension N is `batch`. */
export function valuesOf(t: TensorType, batch: number): number {
  return t.shape.reduce<number>((n, d) => n * (d === 'N' ? batch : d), 1);
}

export class ShapeRuleError extends Error {
  constructor(
    message: string,
    readonly code: 'shape-mismatch' | 'dtype-mismatch' = 'shape-mismatch',
    readonly port?: number,
    /** For a dtype mismatch: the dtype the port needs (analysis names the source and how to fix it). */
    readonly wantDtype?: DType,
  ) {
    super(message);
  }
}

export const fail = (message: string, port?: number): never => {
  throw new ShapeRuleError(message, 'shape-mismatch', port);
};

export const failDtype = (message: string, port?: number, want?: DType): never => {
  throw new ShapeRuleError(message, 'dtype-mismatch', port, want);
};

export function requireFloat(inputs: readonly TensorType[], op: string): void {
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float32') failDtype(`${op} expects float32 on input ${i}, found int32`, i, 'float32');
  });
}

/** A static dim that must be a known size (not the batch). */
export function known(d: Dim, what: string, port = 0): number {
  if (d === 'N') fail(`${what} is the batch dimension N; it must be a fixed size`, port);
  return d as number;
}

export function portNames(spec: OpSpec, count: number): string[] {
  if ('ports' in spec.inputs) return [...spec.inputs.ports];
  const v = spec.inputs.variadic;
  return Array.from({ length: Math.max(count, spec.inputs.min) }, (_, i) => `${v}${i}`);
}

const registry = new Map<string, OpSpec>();

export function registerOp(spec: OpSpec): OpSpec {
  if (registry.has(spec.op)) throw new Error(`op ${spec.op} registered twice`);
  registry.set(spec.op, spec);
  return spec;
}

export function getOp(op: string): OpSpec | undefined {
  return registry.get(op);
}

export function allOps(): OpSpec[] {
  return [...registry.values()];
}

/** Attribute values with defaults filled in. */
export function resolveAttrs(spec: OpSpec, given: Record<string, unknown> | undefined): Attrs {
  const out: Attrs = {};
  for (const a of spec.attrs) out[a.name] = (given?.[a.name] ?? a.default) as Attrs[string];
  return out;
}
