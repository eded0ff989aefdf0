/**
 * How an op lowers to PyTorch (OpSpec.lower.pytorch, in each op's declaration), and the helpers those lowerings
 * share. A lowering gives the layer's constructor (for ops with parameters, buffers or a train/eval mode: the
 * line in Model.__init__, registered under the node's id) and the forward expression over its inputs'
 * expressions. Attributes come with their defaults filled (NodeInfo.attrs) and windows normalised by the op's
 * own declaration (spec.window), so nothing here re-derives a default.
 *
 * Semantics are the engine's, which are PyTorch's: BatchNorm1d normalises with the biased batch variance and
 * updates its running variance with the unbiased one (F.batch_norm), AvgPool2d counts padding, MaxPool2d pads
 * with −∞, Dropout scales by 1/(1 − p) in training. Int32 indices arrive cast to int64 by `_fed` (Embedding and
 * cross_entropy index with int64).
 */
import type { NodeInfo } from '../../graph/analyze';
import type { Dim, TensorType } from '../../graph/types';
import { reducedDims } from '../lowering';
import { pyNum, pyStr, pyTuple } from './python';

export { pyBool, pyFloat, pyNum, pyPair, pyStr } from './python';

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

/** A static dim that shape inference has made a number (not the batch). */
export const fixed = (d: Dim): number => d as number;

/** Input and Target: the fed tensor, checked against the node's type (model.py's `_fed`). */
export const fed = (n: NodeInfo, feed: string): string =>
  `_fed(${feed}, ${pyStr(n.spec!.op)}, ${pyStr(n.id)}, ${pyStr(n.type!.dtype)}, ${pyTuple(n.type!.shape.slice(1).map(fixed))})`;

/** `1` or `(1, 2)`: the dims to reduce, every dim but the batch when the attribute is left out. */
function reduceDims(n: NodeInfo, input: TensorType): string {
  const dims = reducedDims(n.attrs.dim, input.shape.length);
  return dims.length === 1 ? pyNum(dims[0]) : pyTuple(dims);
}

/** Sum and Mean: `fn(x, dim=…, keepdim=…)`. */
export const reduction = (fn: string): PyTorchLowering => ({
  forward: (n, { xs: [x], inputTypes: [t] }) => `${fn}(${x}, dim=${reduceDims(n, t)}${n.attrs.keepDim ? ', keepdim=True' : ''})`,
});

/** A function of one input: `torch.relu(x)`. */
export const unary = (fn: string): PyTorchLowering => ({ forward: (_n, { xs: [x] }) => `${fn}(${x})` });

/** Ops computed by their module: the layer called on the input. */
export const call = (module: (n: NodeInfo, inputTypes: readonly TensorType[]) => string): PyTorchLowering => ({
  module,
  forward: (_n, { xs: [x], layer }) => `${layer}(${x})`,
});

/** The size of the last dim. */
export const last = (t: TensorType): number => fixed(t.shape[t.shape.length - 1]);
