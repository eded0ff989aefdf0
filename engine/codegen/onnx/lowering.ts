/**
 * How an op lowers to ONNX (opset ONNX_OPSET; OpSpec.lower.onnx, in each op's declaration), and the helpers
 * those lowerings share: a lowering is a function of the analysed node and the names of its input values that
 * emits ONNX nodes and constants and returns the name of the value holding the node's output. Inference only (eval mode): Dropout is the identity, BatchNorm
 * reads its running statistics. Attribute defaults and window pairs come from the op's declaration
 * (n.attrs, n.spec.window), never re-derived here.
 */
import type { NodeInfo } from '../../graph/analyze';
import type { TensorType } from '../../graph/types';
import { normDim } from '../../shape';
import { reducedDims } from '../lowering';
import { ints, type OnnxAttr, type OnnxDType } from './model';

export { float, int, ints } from './model';

/** What a lowering may emit; every name it creates is scoped by the node's id, so no two nodes collide. */
export interface OnnxEmitter {
  /** An intermediate ONNX node; returns its output's name (`<id>/<Op>`, numbered when the op repeats). */
  op(op: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>): string;
  /** The ONNX node computing the graph node's output: its output is named by the node id. */
  result(op: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>): string;
  /** The node's parameter or buffer (`<id>.<name>`, the state-dict key) as an initializer, or null when the node has none of that name. */
  param(name: string): string | null;
  /** A constant the lowering needs (`<id>/<name>`). */
  constant(name: string, dtype: OnnxDType, dims: readonly number[], values: readonly number[]): string;
}

/** An input of a node: the ONNX value's name and its static type. */
export interface OnnxInput {
  name: string;
  type: TensorType;
}

export type OnnxLowering = (n: NodeInfo, xs: readonly OnnxInput[], e: OnnxEmitter) => string;

/** One ONNX op with the node's input, named by the node. */
export const unary =
  (op: string): OnnxLowering =>
  (_n, [{ name: x }], e) =>
    e.result(op, [x]);

/** Elementwise ops that broadcast as NumPy, as ONNX's do; more than two inputs are chained left to right, as the engine sums them. */
export const chained =
  (op: string): OnnxLowering =>
  (_n, xs, e) => {
    let acc = xs[0].name;
    for (let i = 1; i < xs.length; i++) acc = i === xs.length - 1 ? e.result(op, [acc, xs[i].name]) : e.op(op, [acc, xs[i].name]);
    return acc;
  };

/** A windowed node's kernel_shape, strides and pads attributes. */
export const window = (n: NodeInfo) => {
  const { kernel, stride, padding } = n.spec!.window!(n.attrs);
  return { kernel_shape: ints(kernel), strides: ints(stride), pads: ints([padding[0], padding[1], padding[0], padding[1]]) };
};

/** A node's dims (dim or a list of dims, or every dim but the batch when left out), normalised and sorted. */
export function reduceAxes(n: NodeInfo, rank: number): number[] {
  const dims = reducedDims(n.attrs.dim, rank).map((d) => normDim(d, rank)!);
  return [...new Set(dims)].sort((a, b) => a - b);
}
