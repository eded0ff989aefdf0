import { registerOp, requireFloat, known, fail, valuesOf, type OpFlops, type ParamSpec } from '../graph/registry';
import type { Attrs } from '../graph/attrs';
import type { TensorType } from '../graph/types';
import { formatType } from '../graph/types';
import { batchNorm1d, layerNorm } from '../ops/norm';
import { needBatched } from './common';
import { sizeExpr } from '../codegen/lowering';
import * as py from '../codegen/pytorch/lowering';
import { float as onnxFloat, int as onnxInt } from '../codegen/onnx/lowering';
import { num } from '../codegen/header';

const eps = { name: 'eps', type: { kind: 'float' as const, min: 0, minExclusive: true }, default: 1e-5, doc: 'Added to the variance for numerical stability.' };
const affine = { name: 'affine', type: { kind: 'bool' as const }, default: true, doc: 'Learn a per-feature scale (weight) and shift (bias).' };

/**
 * Both norms are composed of primitive ops (engine/ops/norm.ts); per element: the mean, x − μ, its square, their
 * mean and the product by 1/√(σ² + ε) forward (5), the affine product and sum (2); backward about 11 through those
 * ops to dx, and 3 for dγ and dβ (a product and two sums). The per-row statistics' few ops are left out.
 */
function normFlops(_x: readonly TensorType[], a: Attrs, y: TensorType, batch: number, needsGrad: readonly boolean[]): OpFlops {
  const n = valuesOf(y, batch);
  const affineOn = a.affine ? 1 : 0;
  return { forward: n * (5 + 2 * affineOn), backward: n * ((needsGrad[0] ? 11 : 0) + 3 * affineOn) };
}

function affineParams(n: number, on: unknown): ParamSpec[] {
  return on
    ? [
        { name: 'weight', shape: [n], init: { kind: 'ones' } },
        { name: 'bias', shape: [n], init: { kind: 'zeros' } },
      ]
    : [];
}

registerOp({
  op: 'BatchNorm1d',
  category: 'Normalization',
  summary: 'Normalises each feature over the batch (batch statistics in training, running estimates in eval).',
  formula: 'y = (x − E[x]) / √(Var[x] + ε) · γ + β',
  formulaNote: 'E, Var per feature over the batch, Var biased; eval: running estimates',
  backwardNote:
    'through the batch statistics: ∂ℓ/∂x = γ/σ · (g − mean(g) − x̂ · mean(g · x̂)),  ∂ℓ/∂γ = Σ g · x̂,  ∂ℓ/∂β = Σ g (x̂ the normalised x, means over the batch)',
  attrs: [eps, { name: 'momentum', type: { kind: 'float', min: 0, max: 1 }, default: 0.1, doc: 'Weight of the new batch in the running estimates.' }, affine],
  inputs: { ports: ['input'] },
  trainMode: 'statistics',
  infer([x]) {
    requireFloat([x], 'BatchNorm1d');
    if (x.shape.length !== 2 || x.shape[0] !== 'N') fail(`BatchNorm1d expects [N, C], found ${formatType(x)}`);
    known(x.shape[1], 'BatchNorm1d: the feature dimension');
    return { shape: [...x.shape], dtype: 'float32' };
  },
  params([x], a) {
    const c = x.shape[1] as number;
    return [
      ...affineParams(c, a.affine),
      { name: 'running_mean', shape: [c], init: { kind: 'zeros' }, buffer: true },
      { name: 'running_var', shape: [c], init: { kind: 'ones' }, buffer: true },
    ];
  },
  forward: ([x], a, ctx) =>
    batchNorm1d(
      x,
      ctx.params.weight ?? null,
      ctx.params.bias ?? null,
      { runningMean: ctx.params.running_mean, runningVar: ctx.params.running_var },
      {
        training: ctx.training,
        momentum: a.momentum as number,
        eps: a.eps as number,
      },
    ),
  flops: normFlops,
  lower: {
    engine: ({ node: { attrs: a }, xs: [x], param, optional }) =>
      `bp.batchNorm1d(${x}, ${optional('weight')}, ${optional('bias')}, { runningMean: ${param('running_mean')}, runningVar: ${param('running_var')} }, { training, momentum: ${num(a.momentum as number)}, eps: ${num(a.eps as number)} })`,
    standalone: ({ node: { attrs: a }, xs: [x], weight }) => ({
      expr: `batchNorm1d(${x.name}, batch, ${x.type.shape[1] as number}, ${weight('running_mean')}, ${weight('running_var')}, ${weight('weight')}, ${weight('bias')}, ${num(a.eps as number)})`,
      kernel: 'batchNorm1d',
    }),
    // model.py's own BatchNorm1d: PyTorch's batch norm (F.batch_norm) without num_batches_tracked.
    pytorch: py.call(
      (n, [x]) =>
        `BatchNorm1d(${py.pyNum(py.fixed(x.shape[1]))}, eps=${py.pyFloat(n.attrs.eps as number)}, momentum=${py.pyFloat(n.attrs.momentum as number)}, affine=${py.pyBool(n.attrs.affine)})`,
    ),
    onnx: (n, [{ name: x }], e) => {
      const c = n.type!.shape[1] as number;
      const scale = e.param('weight') ?? e.constant('scale', 'float32', [c], Array<number>(c).fill(1));
      const bias = e.param('bias') ?? e.constant('bias', 'float32', [c], Array<number>(c).fill(0));
      return e.result('BatchNormalization', [x, scale, bias, e.param('running_mean')!, e.param('running_var')!], { epsilon: onnxFloat(n.attrs.eps as number) });
    },
  },
});

registerOp({
  op: 'LayerNorm',
  category: 'Normalization',
  summary: 'Normalises over the last dimension of each sample.',
  formula: 'y = (x − E[x]) / √(Var[x] + ε) · γ + β',
  formulaNote: 'E, Var over the last dimension of each sample, Var biased',
  backwardNote: 'through the sample statistics: ∂ℓ/∂x = γ/σ · (g − mean(g) − x̂ · mean(g · x̂)),  ∂ℓ/∂γ = Σ g · x̂,  ∂ℓ/∂β = Σ g (means over the last dimension)',
  attrs: [eps, affine],
  inputs: { ports: ['input'] },
  infer([x]) {
    requireFloat([x], 'LayerNorm');
    needBatched(x, 1, 'LayerNorm');
    known(x.shape[x.shape.length - 1], 'LayerNorm: the last dimension');
    return { shape: [...x.shape], dtype: 'float32' };
  },
  params: ([x], a) => affineParams(x.shape[x.shape.length - 1] as number, a.affine),
  forward: ([x], a, ctx) => layerNorm(x, ctx.params.weight ?? null, ctx.params.bias ?? null, a.eps as number),
  flops: normFlops,
  lower: {
    engine: ({ node: { attrs: a }, xs: [x], optional }) => `bp.layerNorm(${x}, ${optional('weight')}, ${optional('bias')}, ${num(a.eps as number)})`,
    standalone: ({ node: { attrs: a }, xs: [x], weight }) => {
      const shape = x.type.shape;
      return {
        expr: `layerNorm(${x.name}, ${sizeExpr(shape.slice(0, -1))}, ${shape[shape.length - 1] as number}, ${weight('weight')}, ${weight('bias')}, ${num(a.eps as number)})`,
        kernel: 'layerNorm',
      };
    },
    pytorch: py.call(
      (n, [x]) => `nn.LayerNorm(${py.pyNum(py.last(x))}, eps=${py.pyFloat(n.attrs.eps as number)}, elementwise_affine=${py.pyBool(n.attrs.affine)})`,
    ),
    onnx: (n, [{ name: x }], e) => {
      const shape = n.type!.shape;
      const c = shape[shape.length - 1] as number;
      const scale = e.param('weight') ?? e.constant('scale', 'float32', [c], Array<number>(c).fill(1));
      const bias = e.param('bias');
      return e.result('LayerNormalization', bias ? [x, scale, bias] : [x, scale], { axis: onnxInt(-1), epsilon: onnxFloat(n.attrs.eps as number) });
    },
  },
});
