/**
 * How each op of the model format lowers to ONNX (opset ONNX_OPSET): one entry per op, a function of the
 * analysed node and the names of its input values that emits ONNX nodes and constants and returns the name
 * of the value holding the node's output. Inference only (eval mode): Dropout is the identity, BatchNorm
 * reads its running statistics. Attribute defaults and window pairs come from the op's declaration
 * (n.attrs, n.spec.window), never re-derived here.
 */
import type { NodeInfo } from '../../graph/analyze';
import type { TensorType } from '../../graph/types';
import { normDim } from '../../shape';
import { float, int, ints, type OnnxAttr, type OnnxDType } from './model';

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

/** Every op of the format (engine/graph/registry.ts registers them; test/export/onnx.test.ts checks the two agree). */
export type OpName =
  | 'Input' | 'Target' | 'Linear' | 'Conv2d' | 'MaxPool2d' | 'AvgPool2d' | 'Flatten' | 'Reshape'
  | 'ReLU' | 'Tanh' | 'Sigmoid' | 'Exp' | 'Log' | 'Neg' | 'LeakyReLU' | 'GELU' | 'Softmax' | 'LogSoftmax' | 'Dropout'
  | 'BatchNorm1d' | 'LayerNorm' | 'Embedding' | 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Sum' | 'Mean' | 'Concat'
  | 'MSELoss' | 'CrossEntropyLoss' | 'BCEWithLogitsLoss';

/** One ONNX op with the node's input, named by the node. */
const unary = (op: string): OnnxLowering => (_n, [{ name: x }], e) => e.result(op, [x]);

/** Elementwise ops that broadcast as NumPy, as ONNX's do; more than two inputs are chained left to right, as the engine sums them. */
const chained = (op: string): OnnxLowering => (_n, xs, e) => {
  let acc = xs[0].name;
  for (let i = 1; i < xs.length; i++) acc = i === xs.length - 1 ? e.result(op, [acc, xs[i].name]) : e.op(op, [acc, xs[i].name]);
  return acc;
};

const window = (n: NodeInfo) => {
  const { kernel, stride, padding } = n.spec!.window!(n.attrs);
  return { kernel_shape: ints(kernel), strides: ints(stride), pads: ints([padding[0], padding[1], padding[0], padding[1]]) };
};

/** A node's dims (dim or a list of dims, or every dim but the batch when left out), normalised and sorted. */
function reduceAxes(n: NodeInfo, rank: number): number[] {
  const dim = n.attrs.dim as number | number[] | undefined;
  const dims = dim === undefined ? Array.from({ length: rank - 1 }, (_, i) => i + 1) : (Array.isArray(dim) ? dim : [dim]).map((d) => normDim(d, rank)!);
  return [...new Set(dims)].sort((a, b) => a - b);
}

/** Inference has no loss: the export refuses an output that needs one before lowering (onnxProblem). */
const notInInference = (what: string): OnnxLowering => (n) => {
  throw new Error(`node "${n.id}" (${n.spec!.op}): ${what} is not part of the inference graph the ONNX export writes`);
};

export const ONNX_LOWERINGS: { readonly [Op in OpName]: OnnxLowering } = {
  // A graph input of the same name, which the graph builder declares (and, for an Input with input features, the
  // features it computes from the raw points instead).
  Input: (n) => n.id,
  Target: notInInference('a Target'),
  Linear: (n, [{ name: x }], e) => {
    const w = e.param('weight')!;
    const b = e.param('bias');
    // Gemm is the 2-D case; over more dims, MatMul with the transposed weight broadcasts over the leading ones.
    if (n.type!.shape.length === 2) return e.result('Gemm', b ? [x, w, b] : [x, w], { transB: int(1) });
    const wt = e.op('Transpose', [w], { perm: ints([1, 0]) });
    if (!b) return e.result('MatMul', [x, wt]);
    return e.result('Add', [e.op('MatMul', [x, wt]), b]);
  },
  Conv2d: (n, [{ name: x }], e) => {
    const b = e.param('bias');
    const { kernel_shape, strides, pads } = window(n);
    return e.result('Conv', b ? [x, e.param('weight')!, b] : [x, e.param('weight')!], { kernel_shape, strides, pads, dilations: ints([1, 1]), group: int(1) });
  },
  MaxPool2d: (n, [{ name: x }], e) => e.result('MaxPool', [x], window(n)),
  // PyTorch's (and the engine's) average counts the zero padding in the divisor.
  AvgPool2d: (n, [{ name: x }], e) => e.result('AveragePool', [x], { ...window(n), count_include_pad: int(1) }),
  Flatten: (_n, [{ name: x }], e) => e.result('Flatten', [x], { axis: int(1) }),
  // 0 copies the batch from the input, so the batch stays dynamic; one -1 is inferred as in the format.
  Reshape: (n, [{ name: x }], e) => {
    const shape = n.attrs.shape as number[];
    return e.result('Reshape', [x, e.constant('shape', 'int64', [shape.length + 1], [0, ...shape])]);
  },
  ReLU: unary('Relu'),
  Tanh: unary('Tanh'),
  Sigmoid: unary('Sigmoid'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Neg: unary('Neg'),
  LeakyReLU: (n, [{ name: x }], e) => e.result('LeakyRelu', [x], { alpha: float(n.attrs.negativeSlope as number) }),
  // Opset 17 has no Gelu (opset 20 does): the formulas, as PyTorch's exporter writes them.
  GELU: (n, [{ name: x }], e) => {
    const half = e.constant('half', 'float32', [], [0.5]);
    const one = e.constant('one', 'float32', [], [1]);
    if (n.attrs.approximate === 'tanh') {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = e.op('Mul', [e.op('Mul', [x, x]), x]);
      const inner = e.op('Add', [x, e.op('Mul', [cube, e.constant('coeff', 'float32', [], [0.044715])])]);
      const t = e.op('Tanh', [e.op('Mul', [inner, e.constant('sqrt_2_over_pi', 'float32', [], [Math.sqrt(2 / Math.PI)])])]);
      return e.result('Mul', [e.op('Mul', [x, e.op('Add', [t, one])]), half]);
    }
    // 0.5·x·(1 + erf(x/√2))
    const erf = e.op('Erf', [e.op('Div', [x, e.constant('sqrt_2', 'float32', [], [Math.SQRT2])])]);
    return e.result('Mul', [e.op('Mul', [x, e.op('Add', [erf, one])]), half]);
  },
  Softmax: (n, [{ name: x }], e) => e.result('Softmax', [x], { axis: int(normDim(n.attrs.dim as number, n.type!.shape.length)!) }),
  LogSoftmax: (n, [{ name: x }], e) => e.result('LogSoftmax', [x], { axis: int(normDim(n.attrs.dim as number, n.type!.shape.length)!) }),
  Dropout: unary('Identity'),
  BatchNorm1d: (n, [{ name: x }], e) => {
    const c = n.type!.shape[1] as number;
    const scale = e.param('weight') ?? e.constant('scale', 'float32', [c], Array<number>(c).fill(1));
    const bias = e.param('bias') ?? e.constant('bias', 'float32', [c], Array<number>(c).fill(0));
    return e.result('BatchNormalization', [x, scale, bias, e.param('running_mean')!, e.param('running_var')!], { epsilon: float(n.attrs.eps as number) });
  },
  LayerNorm: (n, [{ name: x }], e) => {
    const shape = n.type!.shape;
    const c = shape[shape.length - 1] as number;
    const scale = e.param('weight') ?? e.constant('scale', 'float32', [c], Array<number>(c).fill(1));
    const bias = e.param('bias');
    return e.result('LayerNormalization', bias ? [x, scale, bias] : [x, scale], { axis: int(-1), epsilon: float(n.attrs.eps as number) });
  },
  // Gather takes int32 indices as they are: no Cast to int64.
  Embedding: (_n, [{ name: x }], e) => e.result('Gather', [e.param('weight')!, x], { axis: int(0) }),
  Add: chained('Add'),
  Sub: chained('Sub'),
  Mul: chained('Mul'),
  Div: chained('Div'),
  Pow: (n, [{ name: x }], e) => e.result('Pow', [x, e.constant('exponent', 'float32', [], [n.attrs.exponent as number])]),
  // Opset 17: ReduceSum takes its axes as an input (since 13), ReduceMean as an attribute (an input from 18).
  Sum: (n, [x], e) => {
    const axes = reduceAxes(n, x.type.shape.length);
    return e.result('ReduceSum', [x.name, e.constant('axes', 'int64', [axes.length], axes)], { keepdims: int(n.attrs.keepDim ? 1 : 0) });
  },
  Mean: (n, [x], e) => e.result('ReduceMean', [x.name], { axes: ints(reduceAxes(n, x.type.shape.length)), keepdims: int(n.attrs.keepDim ? 1 : 0) }),
  Concat: (n, xs, e) => e.result('Concat', xs.map((x) => x.name), { axis: int(normDim(n.attrs.dim as number, n.type!.shape.length)!) }),
  MSELoss: notInInference('a loss'),
  CrossEntropyLoss: notInInference('a loss'),
  BCEWithLogitsLoss: notInInference('a loss'),
};
