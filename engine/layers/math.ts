import { registerOp, requireFloat, fail } from '../graph/registry';
import type { Dim, TensorType } from '../graph/types';
import { addN, div, mul, sub } from '../ops/binary';
import { exp, log, neg, pow } from '../ops/unary';
import { mean, sum } from '../ops/reduce';
import type { Tensor } from '../tensor';
import { broadcastTypes, dimOf } from './common';

function broadcastAll(xs: readonly TensorType[], op: string): TensorType {
  requireFloat(xs, op);
  let shape: Dim[] = [...xs[0].shape];
  for (let i = 1; i < xs.length; i++) shape = broadcastTypes({ shape, dtype: 'float32' }, xs[i], op, i);
  return { shape, dtype: 'float32' };
}

registerOp({
  op: 'Add', category: 'Merge', summary: 'Sum of two or more inputs, broadcasting as NumPy (residual connections).',
  formula: 'y = x₀ + x₁ (+ …)', formulaNote: 'broadcasting as NumPy',
  backwardNote: '∂ℓ/∂xₖ = g for every input (summed over the dimensions it was broadcast along)',
  attrs: [], inputs: { variadic: 'input', min: 2 },
  infer: (xs) => broadcastAll(xs, 'Add'),
  forward: (xs) => addN(xs),
});

for (const [op, summary, formula, backwardNote, fn] of [
  ['Sub', 'a − b, broadcasting.', 'y = a − b', '∂ℓ/∂a = g,  ∂ℓ/∂b = −g', sub],
  ['Mul', 'a · b elementwise, broadcasting.', 'y = a · b', '∂ℓ/∂a = g · b,  ∂ℓ/∂b = g · a', mul],
  ['Div', 'a / b elementwise, broadcasting.', 'y = a / b', '∂ℓ/∂a = g / b,  ∂ℓ/∂b = −g · a / b²', div],
] as const) {
  registerOp({
    op, category: 'Math', summary, formula, backwardNote, formulaNote: 'elementwise, broadcasting as NumPy', attrs: [], inputs: { ports: ['a', 'b'] },
    infer: (xs) => broadcastAll(xs, op),
    forward: ([a, b]) => fn(a, b),
  });
}

for (const [op, summary, formula, backwardNote, fn] of [
  ['Exp', 'e^x elementwise.', 'y = eˣ', '∂ℓ/∂x = g · eˣ = g · y', exp],
  ['Log', 'Natural logarithm elementwise.', 'y = ln x', '∂ℓ/∂x = g / x', log],
  ['Neg', '−x elementwise.', 'y = −x', '∂ℓ/∂x = −g', neg],
] as const) {
  registerOp({
    op, category: 'Math', summary, formula, backwardNote, attrs: [], inputs: { ports: ['input'] },
    infer: (xs) => broadcastAll(xs, op),
    forward: ([x]) => fn(x),
  });
}

registerOp({
  op: 'Pow', category: 'Math', summary: 'x^exponent elementwise.', formula: 'y = x^exponent', backwardNote: '∂ℓ/∂x = g · exponent · x^(exponent − 1)',
  attrs: [{ name: 'exponent', type: { kind: 'float' }, doc: 'The power.' }], inputs: { ports: ['input'] }, keyAttrs: ['exponent'],
  infer: (xs) => broadcastAll(xs, 'Pow'),
  forward: ([x], a) => pow(x, a.exponent as number),
});

/** Dims to reduce: the given ones, or every dim but the batch. */
function reduceDims(x: TensorType, dim: unknown, op: string): number[] {
  if (dim === undefined) {
    if (x.shape.length < 2) fail(`${op} without dim reduces every dim after the batch, but ${x.shape.length === 0 ? 'the input is a scalar' : 'the input has none'}`);
    return x.shape.map((_, i) => i).slice(1);
  }
  const dims = (Array.isArray(dim) ? dim : [dim]).map((d) => dimOf(x, d as number, op));
  if (new Set(dims).size !== dims.length) fail(`${op}: dim ${JSON.stringify(dim)} names a dimension twice`);
  return dims;
}

for (const [op, summary, formula, formulaNote, backwardNote, fn] of [
  ['Sum', 'Sum over dims (default: every dim but the batch, giving [N]).', 'y = Σ x over dim', 'dim left out: every dim but the batch', '∂ℓ/∂x = g copied back along dim', sum],
  ['Mean', 'Mean over dims (default: every dim but the batch, giving [N]).', 'y = (1/m) · Σ x over dim', 'm the number of values reduced; dim left out: every dim but the batch', '∂ℓ/∂x = g / m copied back along dim', mean],
] as const) {
  registerOp({
    op, category: 'Math', summary, formula, formulaNote, backwardNote,
    attrs: [
      { name: 'dim', type: { kind: 'dims' }, optional: true, doc: 'Dimension or list of dimensions to reduce (0 is the batch). Left out: every dim but the batch.' },
      { name: 'keepDim', type: { kind: 'bool' }, default: false, doc: 'Keep reduced dimensions with size 1.' },
    ],
    inputs: { ports: ['input'] }, keyAttrs: ['dim'],
    infer([x], a) {
      requireFloat([x], op);
      const dims = reduceDims(x, a.dim, op);
      const shape = a.keepDim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
      return { shape, dtype: 'float32' };
    },
    forward([x], a): Tensor {
      const dims = a.dim === undefined ? x.shape.map((_, i) => i).slice(1) : Array.isArray(a.dim) ? a.dim : [a.dim as number];
      return fn(x, dims, a.keepDim as boolean);
    },
  });
}

