/**
 * How each op lowers to PyTorch: ONE table keyed by op name, typed so that an op without a lowering is a
 * compile error. An entry gives the layer's constructor (for ops with parameters, buffers or a train/eval
 * mode: the line in Model.__init__, registered under the node's id) and the forward expression over its
 * inputs' expressions. Attributes come with their defaults filled (NodeInfo.attrs) and windows normalised
 * by the op's own declaration (spec.window), so nothing here re-derives a default.
 *
 * Semantics are the engine's, which are PyTorch's: BatchNorm1d normalises with the biased batch variance and
 * updates its running variance with the unbiased one (F.batch_norm), AvgPool2d counts padding, MaxPool2d pads
 * with −∞, Dropout scales by 1/(1 − p) in training. Int32 indices arrive cast to int64 by `_fed` (Embedding and
 * cross_entropy index with int64).
 */
import type { NodeInfo } from '../../graph/analyze';
import type { Dim, TensorType } from '../../graph/types';
import { pyBool, pyFloat, pyNum, pyPair, pyStr, pyTuple } from './python';

/** Every op of the format (docs/file-format.md). The registry test checks this list against the registry. */
export type PyTorchOpName =
  | 'Input' | 'Target' | 'Linear' | 'Conv2d' | 'MaxPool2d' | 'AvgPool2d' | 'Flatten' | 'Reshape'
  | 'ReLU' | 'Tanh' | 'Sigmoid' | 'Exp' | 'Log' | 'Neg' | 'LeakyReLU' | 'GELU' | 'Softmax' | 'LogSoftmax'
  | 'Dropout' | 'BatchNorm1d' | 'LayerNorm' | 'Embedding' | 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Sum' | 'Mean'
  | 'Concat' | 'MSELoss' | 'CrossEntropyLoss' | 'BCEWithLogitsLoss';

/** What a lowering reads besides the node: its inputs' expressions and types, and the names it refers to. */
export interface LoweringContext {
  /** The inputs' expressions, in port order. */
  xs: readonly string[];
  /** The inputs' static types, in port order (batch as 'N'). */
  inputTypes: readonly TensorType[];
  /** The expression that reads the node's module (`self.fc1`). */
  layer: string;
  /** The dict of fed tensors (for Input and Target). */
  feed: string;
}

export interface PyTorchLowering {
  /** The layer's constructor expression, e.g. `nn.Linear(784, 128, bias=True)`; absent for stateless ops. */
  module?: (n: NodeInfo, inputTypes: readonly TensorType[]) => string;
  /** The node's value as a Python expression. */
  forward: (n: NodeInfo, c: LoweringContext) => string;
}

const fixed = (d: Dim): number => d as number;

const fed = (n: NodeInfo, feed: string): string =>
  `_fed(${feed}, ${pyStr(n.spec!.op)}, ${pyStr(n.id)}, ${pyStr(n.type!.dtype)}, ${pyTuple(n.type!.shape.slice(1).map(fixed))})`;

/** `1` or `(1, 2)`: the dims to reduce, every dim but the batch when the attribute is left out. */
function reduceDims(n: NodeInfo, input: TensorType): string {
  const d = n.attrs.dim;
  const dims = d === undefined ? input.shape.map((_, i) => i).slice(1) : Array.isArray(d) ? (d as number[]) : [d as number];
  return dims.length === 1 ? pyNum(dims[0]) : pyTuple(dims);
}

const reduction = (fn: string): PyTorchLowering => ({
  forward: (n, { xs: [x], inputTypes: [t] }) => `${fn}(${x}, dim=${reduceDims(n, t)}${n.attrs.keepDim ? ', keepdim=True' : ''})`,
});

const unary = (fn: string): PyTorchLowering => ({ forward: (_n, { xs: [x] }) => `${fn}(${x})` });

/** Ops computed by their module: the layer called on the input. */
const call = (module: (n: NodeInfo, inputTypes: readonly TensorType[]) => string): PyTorchLowering => ({
  module,
  forward: (_n, { xs: [x], layer }) => `${layer}(${x})`,
});

const last = (t: TensorType): number => fixed(t.shape[t.shape.length - 1]);

export const PYTORCH_LOWERINGS: { readonly [Op in PyTorchOpName]: PyTorchLowering } = {
  Input: { forward: (n, { feed }) => fed(n, feed) },
  Target: { forward: (n, { feed }) => fed(n, feed) },
  Linear: call((n, [x]) => `nn.Linear(${pyNum(last(x))}, ${pyNum(n.attrs.outFeatures as number)}, bias=${pyBool(n.attrs.bias)})`),
  Conv2d: call((n, [x]) => {
    const { kernel, stride, padding } = n.spec!.window!(n.attrs);
    return `nn.Conv2d(${pyNum(fixed(x.shape[1]))}, ${pyNum(n.attrs.outChannels as number)}, kernel_size=${pyPair(kernel)}, stride=${pyPair(stride)}, padding=${pyPair(padding)}, bias=${pyBool(n.attrs.bias)})`;
  }),
  MaxPool2d: call((n) => {
    const { kernel, stride, padding } = n.spec!.window!(n.attrs);
    return `nn.MaxPool2d(kernel_size=${pyPair(kernel)}, stride=${pyPair(stride)}, padding=${pyPair(padding)})`;
  }),
  AvgPool2d: call((n) => {
    const { kernel, stride, padding } = n.spec!.window!(n.attrs);
    return `nn.AvgPool2d(kernel_size=${pyPair(kernel)}, stride=${pyPair(stride)}, padding=${pyPair(padding)}, count_include_pad=True)`;
  }),
  // reshape rather than torch.flatten: a [N] input becomes [N, 1], as the engine's Flatten makes it.
  Flatten: { forward: (_n, { xs: [x] }) => `${x}.reshape(${x}.shape[0], -1)` },
  Reshape: { forward: (n, { xs: [x] }) => `${x}.reshape(${[`${x}.shape[0]`, ...(n.attrs.shape as number[]).map(pyNum)].join(', ')})` },
  ReLU: unary('torch.relu'),
  Tanh: unary('torch.tanh'),
  Sigmoid: unary('torch.sigmoid'),
  Exp: unary('torch.exp'),
  Log: unary('torch.log'),
  Neg: unary('torch.neg'),
  LeakyReLU: { forward: (n, { xs: [x] }) => `F.leaky_relu(${x}, negative_slope=${pyFloat(n.attrs.negativeSlope as number)})` },
  GELU: { forward: (n, { xs: [x] }) => `F.gelu(${x}, approximate=${pyStr(n.attrs.approximate as string)})` },
  Softmax: { forward: (n, { xs: [x] }) => `torch.softmax(${x}, dim=${pyNum(n.attrs.dim as number)})` },
  LogSoftmax: { forward: (n, { xs: [x] }) => `torch.log_softmax(${x}, dim=${pyNum(n.attrs.dim as number)})` },
  Dropout: call((n) => `nn.Dropout(p=${pyFloat(n.attrs.p as number)})`),
  // model.py's own BatchNorm1d: PyTorch's batch norm (F.batch_norm) without num_batches_tracked.
  BatchNorm1d: call((n, [x]) => `BatchNorm1d(${pyNum(fixed(x.shape[1]))}, eps=${pyFloat(n.attrs.eps as number)}, momentum=${pyFloat(n.attrs.momentum as number)}, affine=${pyBool(n.attrs.affine)})`),
  LayerNorm: call((n, [x]) => `nn.LayerNorm(${pyNum(last(x))}, eps=${pyFloat(n.attrs.eps as number)}, elementwise_affine=${pyBool(n.attrs.affine)})`),
  Embedding: call((n) => `nn.Embedding(${pyNum(n.attrs.numEmbeddings as number)}, ${pyNum(n.attrs.embeddingDim as number)})`),
  Add: { forward: (_n, { xs }) => xs.join(' + ') },
  Sub: { forward: (_n, { xs: [a, b] }) => `${a} - ${b}` },
  Mul: { forward: (_n, { xs: [a, b] }) => `${a} * ${b}` },
  Div: { forward: (_n, { xs: [a, b] }) => `${a} / ${b}` },
  Pow: { forward: (n, { xs: [x] }) => `torch.pow(${x}, ${pyFloat(n.attrs.exponent as number)})` },
  Sum: reduction('torch.sum'),
  Mean: reduction('torch.mean'),
  Concat: { forward: (n, { xs }) => `torch.cat([${xs.join(', ')}], dim=${pyNum(n.attrs.dim as number)})` },
  MSELoss: { forward: (_n, { xs: [p, t] }) => `F.mse_loss(${p}, ${t})` },
  CrossEntropyLoss: { forward: (_n, { xs: [p, t] }) => `F.cross_entropy(${p}, ${t})` },
  BCEWithLogitsLoss: { forward: (_n, { xs: [p, t] }) => `F.binary_cross_entropy_with_logits(${p}, ${t})` },
};
