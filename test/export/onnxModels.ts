// Hand-written models for the ONNX export tests (onnx.test.ts): the op variants random graphs rarely draw,
// input features, and the outputs inference cannot compute.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel, type GraphError, type ModelJson } from '../../engine';

const edges = (...chains: string[][]) => chains.flatMap((c) => c.slice(1).map((to, i) => ({ from: c[i], to })));

/**
 * No loss node: every sink is an output. Linear over three dims without a bias (MatMul), both GELU forms, both
 * norms without affine parameters, Mean and Sum over several dims, keepDim, with no dim, Softmax over the batch,
 * a strided padded Conv2d without bias, padded pools with unequal kernel and stride pairs, Reshape with -1,
 * int32 Concat into an Embedding and into an int32 output, a three-input Add broadcasting a batch-reduced Sum, Exp/Log/Neg/Div/Sigmoid.
 */
export const COVERAGE_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'onnx coverage',
  nodes: [
    { id: 'tok', op: 'Input', attrs: { shape: [3], dtype: 'int32' } },
    { id: 'tok2', op: 'Input', attrs: { shape: [2], dtype: 'int32' } },
    { id: 'x', op: 'Input', attrs: { shape: [4] } },
    { id: 'img', op: 'Input', attrs: { shape: [1, 5, 5] } },
    // tokens → [N, 3, 4] → [N, 3, 6] → [N, 6]
    { id: 'emb', op: 'Embedding', attrs: { numEmbeddings: 5, embeddingDim: 4 } },
    { id: 'lin3', op: 'Linear', attrs: { outFeatures: 6, bias: false } },
    { id: 'gelu', op: 'GELU' },
    { id: 'ln', op: 'LayerNorm', attrs: { affine: false, eps: 1e-3 } },
    { id: 'mean', op: 'Mean', attrs: { dim: 1 } },
    // x → [N, 4]; joined with mean → [N, 10] → [N, 3]
    { id: 'bn', op: 'BatchNorm1d', attrs: { affine: false, eps: 1e-3 } },
    { id: 'gtanh', op: 'GELU', attrs: { approximate: 'tanh' } },
    { id: 'lrelu', op: 'LeakyReLU', attrs: { negativeSlope: 0.2 } },
    { id: 'cat', op: 'Concat', attrs: { dim: -1 } },
    { id: 'lin', op: 'Linear', attrs: { outFeatures: 3 } },
    { id: 'soft', op: 'Softmax', attrs: { dim: 0 } },
    { id: 'logits', op: 'LogSoftmax', attrs: { dim: 1 } },
    // image → [N, 2, 3, 3] → [N, 2, 4, 4] → [N, 2, 3, 4] → [N, 24] → [N, 8, 3] → [N, 8, 1]
    { id: 'conv', op: 'Conv2d', attrs: { outChannels: 2, kernelSize: 3, stride: 2, padding: 1, bias: false } },
    { id: 'avg', op: 'AvgPool2d', attrs: { kernelSize: 2, stride: 1, padding: 1 } },
    { id: 'mx', op: 'MaxPool2d', attrs: { kernelSize: [2, 3], stride: [2, 1], padding: [1, 1] } },
    { id: 'flat', op: 'Flatten' },
    { id: 'rs', op: 'Reshape', attrs: { shape: [-1, 3] } },
    { id: 'sumk', op: 'Sum', attrs: { dim: -1, keepDim: true } },
    { id: 'cube', op: 'Pow', attrs: { exponent: 3 } },
    // int32 [N, 5] → [N, 5, 2] → [N, 10]; + [N, 10] + [1, 10]
    { id: 'ids', op: 'Concat', attrs: { dim: 1 } },
    { id: 'emb2', op: 'Embedding', attrs: { numEmbeddings: 5, embeddingDim: 2 } },
    { id: 'idsOut', op: 'Reshape', attrs: { shape: [5, 1] } },
    { id: 'flat2', op: 'Flatten' },
    { id: 'batchSum', op: 'Sum', attrs: { dim: [0], keepDim: true } },
    { id: 'add3', op: 'Add' },
    { id: 'drop', op: 'Dropout', attrs: { p: 0.3 } },
    { id: 'total', op: 'Sum' },
    // x → exp(tanh x) ∈ [1/e, e]; −log of it · relu(x) − x / sigmoid(x)
    { id: 'th', op: 'Tanh' },
    { id: 'ex', op: 'Exp' },
    { id: 'lg', op: 'Log' },
    { id: 'ng', op: 'Neg' },
    { id: 'rl', op: 'ReLU' },
    { id: 'prod', op: 'Mul' },
    { id: 'sg', op: 'Sigmoid' },
    { id: 'quot', op: 'Div' },
    { id: 'diff', op: 'Sub' },
  ],
  edges: [
    ...edges(['tok', 'emb', 'lin3', 'gelu', 'ln', 'mean'], ['x', 'bn', 'gtanh', 'lrelu'], ['lin', 'soft', 'logits']),
    { from: 'lrelu', to: 'cat', port: 0 },
    { from: 'mean', to: 'cat', port: 1 },
    { from: 'cat', to: 'lin' },
    ...edges(['img', 'conv', 'avg', 'mx', 'flat', 'rs', 'sumk', 'cube']),
    { from: 'tok', to: 'ids', port: 0 },
    { from: 'tok2', to: 'ids', port: 1 },
    ...edges(['ids', 'emb2', 'flat2']),
    { from: 'ids', to: 'idsOut' },
    { from: 'cat', to: 'batchSum' },
    { from: 'flat2', to: 'add3', port: 0 },
    { from: 'cat', to: 'add3', port: 1 },
    { from: 'batchSum', to: 'add3', port: 2 },
    ...edges(['add3', 'drop', 'total']),
    ...edges(['x', 'th', 'ex', 'lg', 'ng']),
    { from: 'x', to: 'rl' },
    { from: 'ng', to: 'prod', port: 0 },
    { from: 'rl', to: 'prod', port: 1 },
    { from: 'x', to: 'sg' },
    { from: 'x', to: 'quot', port: 0 },
    { from: 'sg', to: 'quot', port: 1 },
    { from: 'prod', to: 'diff', port: 0 },
    { from: 'quot', to: 'diff', port: 1 },
  ],
  training: { seed: 3 },
};

/** A 2-D point classifier whose Input takes every input feature of the vocabulary, computed from raw points. */
export const FEATURED_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'input features',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [7] } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'fc' },
    { from: 'fc', to: 'loss', port: 0 },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 1, dataset: { source: 'circle', size: 100, noise: 0.1, inputFeatures: ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'] } },
};

/** An output computed from a Target: what the standalone and ONNX targets refuse. */
export const TARGET_OUTPUT_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'needs a target',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 't', op: 'Target', attrs: { shape: [3] } },
    { id: 'd', op: 'Sub' },
    { id: 't2', op: 'Target', attrs: { shape: [3] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'd', port: 0 },
    { from: 't', to: 'd', port: 1 },
    { from: 'd', to: 'loss', port: 0 },
    { from: 't2', to: 'loss', port: 1 },
  ],
};

/** A loss (of two Inputs, no Target) feeding another loss's prediction port: that output is a loss. */
export const LOSS_OUTPUT_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'a loss as an output',
  nodes: [
    { id: 'a', op: 'Input', attrs: { shape: [3] } },
    { id: 'b', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 3 } },
    { id: 'inner', op: 'MSELoss' },
    { id: 'z', op: 'Input', attrs: { shape: [] } },
    { id: 'zs', op: 'Sum', attrs: { dim: 0 } },
    { id: 'outer', op: 'MSELoss' },
  ],
  edges: [
    { from: 'a', to: 'fc' },
    { from: 'fc', to: 'inner', port: 0 },
    { from: 'b', to: 'inner', port: 1 },
    { from: 'z', to: 'zs' },
    { from: 'inner', to: 'outer', port: 0 },
    { from: 'zs', to: 'outer', port: 1 },
  ],
};

/**
 * xor with an unknown op, a duplicate id and a cycle: what every export target must refuse with the analyzer's
 * own messages (the errors returned beside it).
 */
export function invalidXor(root: string): { model: ModelJson; errors: GraphError[] } {
  const model = JSON.parse(readFileSync(join(root, 'examples', 'xor.nn.json'), 'utf8')) as ModelJson;
  model.nodes.push({ id: 'odd', op: 'Frobnicate' }, { id: 'fc1', op: 'ReLU' });
  model.edges.push({ from: 'fc2', to: 'fc1' });
  return { model, errors: analyzeModel(model).errors };
}
