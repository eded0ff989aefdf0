import { registerOp, requireFloat, fail, valuesOf, type OpFlops } from '../graph/registry';
import type { Dim, TensorType } from '../graph/types';
import { addN, div, mul, sub } from '../ops/binary';
import { exp, log, neg, pow } from '../ops/unary';
import { mean, sum } from '../ops/reduce';
import type { Tensor } from '../tensor';
import { broadcastTypes, dimOf } from './common';
import { reducedDims, shapeExpr, sizeExpr, type StandaloneLowering } from '../codegen/lowering';
import { literal, num } from '../codegen/header';
import { normDim } from '../shape';
import type { KernelName } from '../codegen/kernels';
import * as py from '../codegen/pytorch/lowering';
import * as onnx from '../codegen/onnx/lowering';

/** The standalone lowering of an elementwise binary op: its kernel applied left to right, each step broadcasting. */
const standaloneBinary =
  (kernel: KernelName): StandaloneLowering =>
  ({ node, xs }) => {
    let acc = xs[0].name;
    let accType: TensorType = xs[0].type;
    for (let i = 1; i < xs.length; i++) {
      const shape = broadcastTypes(accType, xs[i].type, node.spec!.op, i);
      acc = `${kernel}(${acc}, ${shapeExpr(accType.shape)}, ${xs[i].name}, ${shapeExpr(xs[i].type.shape)}, ${shapeExpr(shape)})`;
      accType = { shape, dtype: 'float32' };
    }
    return { expr: acc, kernel };
  };

function broadcastAll(xs: readonly TensorType[], op: string): TensorType {
  requireFloat(xs, op);
  let shape: Dim[] = [...xs[0].shape];
  for (let i = 1; i < xs.length; i++) shape = broadcastTypes({ shape, dtype: 'float32' }, xs[i], op, i);
  return { shape, dtype: 'float32' };
}

/**
 * A broadcast input's gradient is the output's summed back to the input's shape: an add per value reduced away
 * (none when the shapes are equal).
 */
const reduceBack = (x: TensorType, outs: number, batch: number) => outs - valuesOf(x, batch);

registerOp({
  op: 'Add',
  category: 'Merge',
  summary: 'Sum of two or more inputs, broadcasting as NumPy (residual connections).',
  formula: 'y = x₀ + x₁ (+ …)',
  formulaNote: 'broadcasting as NumPy',
  backwardNote: '∂ℓ/∂xₖ = g for every input (summed over the dimensions it was broadcast along)',
  attrs: [],
  inputs: { variadic: 'input', min: 2 },
  infer: (xs) => broadcastAll(xs, 'Add'),
  forward: (xs) => addN(xs),
  // k inputs: k − 1 adds per output value; each gradient is the output's (reduced back where broadcast).
  flops(xs, _a, y, batch, needsGrad) {
    const outs = valuesOf(y, batch);
    return { forward: (xs.length - 1) * outs, backward: xs.reduce((n, x, i) => n + (needsGrad[i] ? reduceBack(x, outs, batch) : 0), 0) };
  },
  lower: {
    engine: ({ xs }) => (xs.length === 2 ? `bp.add(${xs[0]}, ${xs[1]})` : `bp.addN([${xs.join(', ')}])`),
    standalone: standaloneBinary('add'),
    pytorch: { forward: (_n, { xs }) => xs.join(' + ') },
    onnx: onnx.chained('Add'),
  },
});

/** Per output value, what each input's gradient costs before it is reduced back: [a's, b's]. */
const BINARY_GRADS = {
  Sub: [0, 1], // dy, −dy
  Mul: [1, 1], // dy·b, dy·a
  Div: [1, 3], // dy / b, −(dy·y) / b
} as const;

for (const [op, summary, formula, backwardNote, fn, name, symbol] of [
  ['Sub', 'a − b, broadcasting.', 'y = a − b', '∂ℓ/∂a = g,  ∂ℓ/∂b = −g', sub, 'sub', '-'],
  ['Mul', 'a · b elementwise, broadcasting.', 'y = a · b', '∂ℓ/∂a = g · b,  ∂ℓ/∂b = g · a', mul, 'mul', '*'],
  ['Div', 'a / b elementwise, broadcasting.', 'y = a / b', '∂ℓ/∂a = g / b,  ∂ℓ/∂b = −g · a / b²', div, 'div', '/'],
] as const) {
  registerOp({
    op,
    category: 'Math',
    summary,
    formula,
    backwardNote,
    formulaNote: 'elementwise, broadcasting as NumPy',
    attrs: [],
    inputs: { ports: ['a', 'b'] },
    infer: (xs) => broadcastAll(xs, op),
    forward: ([a, b]) => fn(a, b),
    flops(xs, _a, y, batch, needsGrad): OpFlops {
      const outs = valuesOf(y, batch);
      const backward = xs.reduce((n, x, i) => n + (needsGrad[i] ? BINARY_GRADS[op][i] * outs + reduceBack(x, outs, batch) : 0), 0);
      return { forward: outs, backward };
    },
    lower: {
      engine: ({ xs: [a, b] }) => `bp.${name}(${a}, ${b})`,
      standalone: standaloneBinary(name),
      pytorch: { forward: (_n, { xs: [a, b] }) => `${a} ${symbol} ${b}` },
      onnx: onnx.chained(op),
    },
  });
}

// Per element, forward / backward: eˣ / dy·y; ln x / dy / x; −x / −dy; x^p / dy·p·x^(p−1) (a power and two products).
for (const [op, summary, formula, backwardNote, fn, back, name] of [
  ['Exp', 'e^x elementwise.', 'y = eˣ', '∂ℓ/∂x = g · eˣ = g · y', exp, 1, 'exp'],
  ['Log', 'Natural logarithm elementwise.', 'y = ln x', '∂ℓ/∂x = g / x', log, 1, 'log'],
  ['Neg', '−x elementwise.', 'y = −x', '∂ℓ/∂x = −g', neg, 1, 'neg'],
] as const) {
  // The same name in torch (torch.exp) and, capitalised, in ONNX (Exp).
  const onnxOp = op;
  registerOp({
    op,
    category: 'Math',
    summary,
    formula,
    backwardNote,
    attrs: [],
    inputs: { ports: ['input'] },
    infer: (xs) => broadcastAll(xs, op),
    forward: ([x]) => fn(x),
    flops: (_x, _a, y, batch, needsGrad) => ({ forward: valuesOf(y, batch), backward: needsGrad[0] ? back * valuesOf(y, batch) : 0 }),
    lower: {
      engine: ({ xs: [x] }) => `bp.${name}(${x})`,
      standalone: ({ xs: [x] }) => ({ expr: `${name}(${x.name})`, kernel: name }),
      pytorch: py.unary(`torch.${name}`),
      onnx: onnx.unary(onnxOp),
    },
  });
}

registerOp({
  op: 'Pow',
  category: 'Math',
  summary: 'x^exponent elementwise.',
  formula: 'y = x^exponent',
  backwardNote: '∂ℓ/∂x = g · exponent · x^(exponent − 1)',
  attrs: [{ name: 'exponent', type: { kind: 'float' }, doc: 'The power.' }],
  inputs: { ports: ['input'] },
  keyAttrs: ['exponent'],
  infer: (xs) => broadcastAll(xs, 'Pow'),
  forward: ([x], a) => pow(x, a.exponent as number),
  flops: (_x, _a, y, batch, needsGrad) => ({ forward: valuesOf(y, batch), backward: needsGrad[0] ? 3 * valuesOf(y, batch) : 0 }),
  lower: {
    engine: ({ node, xs: [x] }) => `bp.pow(${x}, ${num(node.attrs.exponent as number)})`,
    standalone: ({ node, xs: [x] }) => ({ expr: `pow(${x.name}, ${num(node.attrs.exponent as number)})`, kernel: 'pow' }),
    pytorch: { forward: (n, { xs: [x] }) => `torch.pow(${x}, ${py.pyFloat(n.attrs.exponent as number)})` },
    onnx: (n, [{ name: x }], e) => e.result('Pow', [x, e.constant('exponent', 'float32', [], [n.attrs.exponent as number])]),
  },
});

/** Dims to reduce: the given ones, or every dim but the batch. */
function reduceDims(x: TensorType, dim: unknown, op: string): number[] {
  if (dim === undefined) {
    if (x.shape.length < 2)
      fail(`${op} without dim reduces every dim after the batch, but ${x.shape.length === 0 ? 'the input is a scalar' : 'the input has none'}`);
    return x.shape.map((_, i) => i).slice(1);
  }
  const dims = (Array.isArray(dim) ? dim : [dim]).map((d) => dimOf(x, d as number, op));
  if (new Set(dims).size !== dims.length) fail(`${op}: dim ${JSON.stringify(dim)} names a dimension twice`);
  return dims;
}

for (const [op, summary, formula, formulaNote, backwardNote, fn, name] of [
  [
    'Sum',
    'Sum over dims (default: every dim but the batch, giving [N]).',
    'y = Σ x over dim',
    'dim left out: every dim but the batch',
    '∂ℓ/∂x = g copied back along dim',
    sum,
    'sum',
  ],
  [
    'Mean',
    'Mean over dims (default: every dim but the batch, giving [N]).',
    'y = (1/m) · Σ x over dim',
    'm the number of values reduced; dim left out: every dim but the batch',
    '∂ℓ/∂x = g / m copied back along dim',
    mean,
    'mean',
  ],
] as const) {
  registerOp({
    op,
    category: 'Math',
    summary,
    formula,
    formulaNote,
    backwardNote,
    attrs: [
      {
        name: 'dim',
        type: { kind: 'dims' },
        optional: true,
        doc: 'Dimension or list of dimensions to reduce (0 is the batch). Left out: every dim but the batch.',
      },
      { name: 'keepDim', type: { kind: 'bool' }, default: false, doc: 'Keep reduced dimensions with size 1.' },
    ],
    inputs: { ports: ['input'] },
    keyAttrs: ['dim'],
    infer([x], a) {
      requireFloat([x], op);
      const dims = reduceDims(x, a.dim, op);
      const shape = a.keepDim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
      return { shape, dtype: 'float32' };
    },
    forward: ([x], a): Tensor => fn(x, reducedDims(a.dim, x.shape.length), a.keepDim as boolean),
    // An add per input value (Mean: and a division per output value); backward broadcasts the gradient back
    // (Mean: scaled, a product per input value).
    flops([x], _a, y, batch, needsGrad) {
      const ins = valuesOf(x, batch);
      const mean = op === 'Mean' ? 1 : 0;
      return { forward: ins + mean * valuesOf(y, batch), backward: needsGrad[0] ? mean * ins : 0 };
    },
    lower: {
      engine: ({ node: { attrs: a }, xs: [x], types: [t] }) => `bp.${name}(${x}, ${literal(reducedDims(a.dim, t.shape.length))}${a.keepDim ? ', true' : ''})`,
      standalone: ({ node, xs: [x] }) => {
        const shape = x.type.shape;
        const axes = [...new Set(reducedDims(node.attrs.dim, shape.length).map((d) => normDim(d, shape.length)!))].sort((p, q) => p - q);
        const count = sizeExpr(axes.map((i) => shape[i]));
        const scale = name === 'sum' ? '1' : count.includes(' ') ? `1 / (${count})` : `1 / ${count}`;
        return { expr: `reduce(${x.name}, ${shapeExpr(shape)}, ${literal(axes)}, ${scale})`, kernel: 'reduce' };
      },
      pytorch: py.reduction(`torch.${name}`),
      // Opset 17: ReduceSum takes its axes as an input (since 13), ReduceMean as an attribute (an input from 18).
      onnx:
        op === 'Sum'
          ? (n, [x], e) => {
              const axes = onnx.reduceAxes(n, x.type.shape.length);
              return e.result('ReduceSum', [x.name, e.constant('axes', 'int64', [axes.length], axes)], { keepdims: onnx.int(n.attrs.keepDim ? 1 : 0) });
            }
          : (n, [x], e) =>
              e.result('ReduceMean', [x.name], { axes: onnx.ints(onnx.reduceAxes(n, x.type.shape.length)), keepdims: onnx.int(n.attrs.keepDim ? 1 : 0) }),
    },
  });
}
