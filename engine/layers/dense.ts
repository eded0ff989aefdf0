import { registerOp, requireFloat, known, failDtype, valuesOf, type ParamSpec } from '../graph/registry';
import { linear } from '../ops/matmul';
import { embedding } from '../ops/embedding';
import { formatType } from '../graph/types';
import { needBatched } from './common';
import { sizeExpr } from '../codegen/lowering';
import * as py from '../codegen/pytorch/lowering';
import * as onnx from '../codegen/onnx/lowering';
import { num } from '../codegen/header';

registerOp({
  op: 'Linear',
  category: 'Layers',
  summary: 'y = x·Wᵀ + b over the last dimension.',
  formula: 'y = x·Wᵀ + b',
  formulaNote: 'W: [outFeatures, inFeatures]',
  backwardNote: '∂ℓ/∂x = g · W,  ∂ℓ/∂W = gᵀ · x,  ∂ℓ/∂b = Σₙ g',
  attrs: [
    { name: 'outFeatures', type: { kind: 'int', min: 1, max: 1 << 24 }, doc: 'Size of each output sample.' },
    { name: 'bias', type: { kind: 'bool' }, default: true, doc: 'Learn an additive bias.' },
  ],
  inputs: { ports: ['input'] },
  keyAttrs: ['outFeatures'],
  infer([x], a) {
    requireFloat([x], 'Linear');
    needBatched(x, 1, 'Linear');
    known(x.shape[x.shape.length - 1], 'Linear: the last input dimension');
    return { shape: [...x.shape.slice(0, -1), a.outFeatures as number], dtype: 'float32' };
  },
  params([x], a) {
    const inF = x.shape[x.shape.length - 1] as number;
    const outF = a.outFeatures as number;
    const ps: ParamSpec[] = [{ name: 'weight', shape: [outF, inF], init: { kind: 'kaimingUniform', fanIn: inF }, l1: true }];
    if (a.bias) ps.push({ name: 'bias', shape: [outF], init: { kind: 'biasUniform', fanIn: inF } });
    return ps;
  },
  forward: ([x], _a, ctx) => linear(x, ctx.params.weight, ctx.params.bias ?? null),
  flops([x], a, y, batch, needsGrad) {
    const inF = x.shape[x.shape.length - 1] as number;
    const outs = valuesOf(y, batch);
    // One product of rows × inF by inF × outF; the backward's are dx = dy·W and dW = dyᵀ·x, the same size each.
    const product = 2 * outs * inF;
    const bias = a.bias ? outs : 0;
    return { forward: product + bias, backward: (needsGrad[0] ? product : 0) + product + bias };
  },
  lower: {
    engine: ({ xs: [x], param, has }) => `bp.linear(${x}, ${param('weight')}${has('bias') ? `, ${param('bias')}` : ''})`,
    standalone: ({ node, xs: [x], weight }) => {
      const shape = x.type.shape;
      const expr = `linear(${x.name}, ${sizeExpr(shape.slice(0, -1))}, ${shape[shape.length - 1]}, ${weight('weight')}, ${weight('bias')}, ${num(node.attrs.outFeatures as number)})`;
      return { expr, kernel: 'linear' };
    },
    pytorch: py.call((n, [x]) => `nn.Linear(${py.pyNum(py.last(x))}, ${py.pyNum(n.attrs.outFeatures as number)}, bias=${py.pyBool(n.attrs.bias)})`),
    onnx: (n, [{ name: x }], e) => {
      const w = e.param('weight')!;
      const b = e.param('bias');
      // Gemm is the 2-D case; over more dims, MatMul with the transposed weight broadcasts over the leading ones.
      if (n.type!.shape.length === 2) return e.result('Gemm', b ? [x, w, b] : [x, w], { transB: onnx.int(1) });
      const wt = e.op('Transpose', [w], { perm: onnx.ints([1, 0]) });
      if (!b) return e.result('MatMul', [x, wt]);
      return e.result('Add', [e.op('MatMul', [x, wt]), b]);
    },
  },
});

registerOp({
  op: 'Embedding',
  category: 'Layers',
  summary: 'Looks up a learned vector for each int32 index.',
  formula: 'y = W[x]',
  formulaNote: 'W: [numEmbeddings, embeddingDim]; row x of W for each index',
  backwardNote: '∂ℓ/∂W[x] += g for each index looked up; the indices get no gradient',
  attrs: [
    { name: 'numEmbeddings', type: { kind: 'int', min: 1, max: 1 << 24 }, doc: 'Size of the dictionary.' },
    { name: 'embeddingDim', type: { kind: 'int', min: 1, max: 1 << 16 }, doc: 'Size of each embedding vector.' },
  ],
  inputs: { ports: ['indices'] },
  keyAttrs: ['numEmbeddings', 'embeddingDim'],
  infer([x], a) {
    if (x.dtype !== 'int32') failDtype(`Embedding expects int32 indices, found ${formatType(x)}`);
    return { shape: [...x.shape, a.embeddingDim as number], dtype: 'float32' };
  },
  params: (_i, a) => [{ name: 'weight', shape: [a.numEmbeddings as number, a.embeddingDim as number], init: { kind: 'normal', std: 1 }, l1: true }],
  forward: ([x], _a, ctx) => embedding(x, ctx.params.weight),
  // A gather forward; backward adds each output gradient into its row of dW.
  flops: (_x, _a, y, batch) => ({ forward: 0, backward: valuesOf(y, batch) }),
  lower: {
    engine: ({ xs: [x], param }) => `bp.embedding(${x}, ${param('weight')})`,
    standalone: ({ node: { attrs: a }, xs: [x], weight }) => ({
      expr: `embedding(${x.name}, ${weight('weight')}, ${num(a.numEmbeddings as number)}, ${num(a.embeddingDim as number)})`,
      kernel: 'embedding',
    }),
    pytorch: py.call((n) => `nn.Embedding(${py.pyNum(n.attrs.numEmbeddings as number)}, ${py.pyNum(n.attrs.embeddingDim as number)})`),
    // Gather takes int32 indices as they are: no Cast to int64.
    onnx: (_n, [{ name: x }], e) => e.result('Gather', [e.param('weight')!, x], { axis: onnx.int(0) }),
  },
});
