/**
 * The op registry: every op of the model format declared once — category, attributes, input ports,
 * parameters, shape rule and forward. The palette, the inspector, the JSON Schema, validation, the
 * runtime and code export all read it.
 */
import type { Tensor } from '../tensor';
import type { Random } from '../nn/random';
import type { AttrSpec, Attrs } from './attrs';
import type { Dim, TensorType } from './types';
import type { DType } from '../backend/backend';

export type Category = 'Inputs' | 'Layers' | 'Activations' | 'Normalization' | 'Merge' | 'Math' | 'Losses';
export const CATEGORIES: readonly Category[] = ['Inputs', 'Layers', 'Activations', 'Normalization', 'Merge', 'Math', 'Losses'];

/** Fixed named ports, or a variadic list (ports 0..n-1, at least min). */
export type InputSpec = { ports: readonly string[] } | { variadic: string; min: number };

export type InitKind =
  | { kind: 'kaimingUniform'; fanIn: number }
  | { kind: 'biasUniform'; fanIn: number }
  | { kind: 'ones' }
  | { kind: 'zeros' }
  | { kind: 'normal'; std: number };

export interface ParamSpec {
  /** PyTorch's name: weight, bias, running_mean, running_var. */
  name: string;
  shape: number[];
  init: InitKind;
  /** A buffer is state, not trained (BatchNorm's running statistics). */
  buffer?: boolean;
}

export interface ForwardContext {
  params: Record<string, Tensor>;
  training: boolean;
  /** Whether Dropout drops: in training, unless the pass turned it off (the gradient check: ForwardOptions.dropout). */
  dropout: boolean;
  /** For ops with randomness (Dropout): a stream keyed by seed, step and node. */
  rng(): Random;
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
  attrs: readonly AttrSpec[];
  inputs: InputSpec;
  /** Attributes shown on the node in the editor. */
  keyAttrs?: readonly string[];
  isLoss?: boolean;
  /** Input and Target: fed at run time. */
  isSource?: boolean;
  /** Output type from input types; throws ShapeRuleError when they do not fit. */
  infer(inputs: readonly TensorType[], attrs: Attrs): TensorType;
  params?(inputs: readonly TensorType[], attrs: Attrs): ParamSpec[];
  forward(inputs: readonly Tensor[], attrs: Attrs, ctx: ForwardContext): Tensor;
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
