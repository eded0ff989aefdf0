import { registerOp, requireFloat, valuesOf, type OpSpec } from '../graph/registry';
import type { AttrSpec, Attrs } from '../graph/attrs';
import type { Tensor } from '../tensor';
import * as ops from '../ops/unary';
import { logSoftmax, softmax } from '../ops/softmax';
import { dropout } from '../ops/dropout';
import { dimOf } from './common';
import { sizeExpr, dimExpr, type OpLowerings } from '../codegen/lowering';
import { num, str } from '../codegen/header';
import * as py from '../codegen/pytorch/lowering';
import * as onnx from '../codegen/onnx/lowering';
import { normDim } from '../shape';

/** Ops whose output has the input's shape and type. */
type Formula = Pick<OpSpec, 'formula' | 'formulaNote' | 'backwardNote'>;

/** FLOPs per element: forward, and backward (the input's gradient). */
type PerElement = (a: Attrs) => readonly [number, number];

function elementwise(
  op: string,
  category: OpSpec['category'],
  summary: string,
  formula: Formula,
  fn: (x: Tensor, a: Attrs) => Tensor,
  cost: PerElement,
  lower: OpLowerings,
  attrs: AttrSpec[] = [],
  check?: OpSpec['infer'],
): void {
  registerOp({
    op,
    category,
    summary,
    ...formula,
    attrs,
    inputs: { ports: ['input'] },
    keyAttrs: attrs.map((a) => a.name),
    lower,
    infer(inputs, a) {
      requireFloat(inputs, op);
      check?.(inputs, a);
      return { shape: [...inputs[0].shape], dtype: 'float32' };
    },
    forward: ([x], a) => fn(x, a),
    flops(_x, a, y, batch, needsGrad) {
      const n = valuesOf(y, batch);
      const [f, b] = cost(a);
      return { forward: f * n, backward: needsGrad[0] ? b * n : 0 };
    },
  });
}

/** An activation without attributes: the same function in the engine, the standalone kernels and torch; ONNX's op. */
const unary = (name: 'relu' | 'tanh' | 'sigmoid', onnxOp: string): OpLowerings => ({
  engine: ({ xs: [x] }) => `bp.${name}(${x})`,
  standalone: ({ xs: [x] }) => ({ expr: `${name}(${x.name})`, kernel: name }),
  pytorch: py.unary(`torch.${name}`),
  onnx: onnx.unary(onnxOp),
});

/** Softmax and LogSoftmax: the standalone kernel works on the [outer, dim, inner] view of the input. */
const softmaxLowering = (fn: 'softmax' | 'logSoftmax', log: boolean): OpLowerings => ({
  engine: ({ node, xs: [x] }) => `bp.${fn}(${x}, ${num(node.attrs.dim as number)})`,
  standalone: ({ node, xs: [x] }) => {
    const shape = x.type.shape;
    const d = normDim(node.attrs.dim as number, shape.length)!;
    return { expr: `softmax(${x.name}, ${sizeExpr(shape.slice(0, d))}, ${dimExpr(shape[d])}, ${sizeExpr(shape.slice(d + 1))}, ${log})`, kernel: 'softmax' };
  },
  pytorch: { forward: (n, { xs: [x] }) => `torch.${log ? 'log_softmax' : 'softmax'}(${x}, dim=${py.pyNum(n.attrs.dim as number)})` },
  onnx: (n, [{ name: x }], e) => e.result(log ? 'LogSoftmax' : 'Softmax', [x], { axis: onnx.int(normDim(n.attrs.dim as number, n.type!.shape.length)!) }),
});

/** Opset 17 has no Gelu (opset 20 does): its formulas, as PyTorch's exporter writes them. */
const geluOnnx: onnx.OnnxLowering = (n, [{ name: x }], e) => {
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
};

// Per element. ReLU: max / dy·[x > 0]. LeakyReLU: a comparison and a product each way. Tanh: tanh / dy·(1 − y²).
// Sigmoid: exp, add, divide / dy·y·(1 − y). GELU (erf): x/√2, erf, 1+, ·½, ·x / Φ(x) + x·φ(x) (φ needs x², a
// scale, exp, a scale), times dy; its tanh form: x³ (2), ·0.044715, +x, ·√(2/π), tanh, 1+, ·x, ·½ / that again,
// 1 − t², and the chain rule's products.
elementwise(
  'ReLU',
  'Activations',
  'max(0, x); gradient 0 at 0.',
  { formula: 'y = max(0, x)', backwardNote: '∂ℓ/∂x = g · [x > 0]' },
  (x) => ops.relu(x),
  () => [1, 1],
  unary('relu', 'Relu'),
);
elementwise(
  'LeakyReLU',
  'Activations',
  'x for x > 0, negativeSlope·x otherwise.',
  { formula: 'y = max(0, x) + negativeSlope · min(0, x)', backwardNote: '∂ℓ/∂x = g · (1 if x > 0, else negativeSlope)' },
  (x, a) => ops.leakyRelu(x, a.negativeSlope as number),
  () => [2, 2],
  {
    engine: ({ node, xs: [x] }) => `bp.leakyRelu(${x}, ${num(node.attrs.negativeSlope as number)})`,
    standalone: ({ node, xs: [x] }) => ({ expr: `leakyRelu(${x.name}, ${num(node.attrs.negativeSlope as number)})`, kernel: 'leakyRelu' }),
    pytorch: { forward: (n, { xs: [x] }) => `F.leaky_relu(${x}, negative_slope=${py.pyFloat(n.attrs.negativeSlope as number)})` },
    onnx: (n, [{ name: x }], e) => e.result('LeakyRelu', [x], { alpha: onnx.float(n.attrs.negativeSlope as number) }),
  },
  [{ name: 'negativeSlope', type: { kind: 'float' }, default: 0.01, doc: 'Slope for negative inputs.' }],
);
elementwise(
  'Tanh',
  'Activations',
  'Hyperbolic tangent.',
  { formula: 'y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)', backwardNote: '∂ℓ/∂x = g · tanh′(x) = g · (1 − y²)' },
  (x) => ops.tanh(x),
  () => [1, 3],
  unary('tanh', 'Tanh'),
);
elementwise(
  'Sigmoid',
  'Activations',
  '1 / (1 + e^−x).',
  { formula: 'y = σ(x) = 1 / (1 + e^(−x))', backwardNote: '∂ℓ/∂x = g · σ′(x) = g · y · (1 − y)' },
  (x) => ops.sigmoid(x),
  () => [3, 3],
  unary('sigmoid', 'Sigmoid'),
);
elementwise(
  'GELU',
  'Activations',
  'x·Φ(x) (erf form), or its tanh approximation.',
  {
    formula: 'y = x · Φ(x)',
    backwardNote: '∂ℓ/∂x = g · (Φ(x) + x · φ(x)), φ the normal density (the tanh form: its own derivative)',
    formulaNote: 'Φ the standard normal CDF; approximate "tanh": y = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))',
  },
  (x, a) => ops.gelu(x, a.approximate as 'none' | 'tanh'),
  (a) => (a.approximate === 'tanh' ? [9, 17] : [5, 11]),
  {
    engine: ({ node, xs: [x] }) => (node.attrs.approximate === 'tanh' ? `bp.gelu(${x}, 'tanh')` : `bp.gelu(${x})`),
    standalone: ({ node, xs: [x] }) =>
      node.attrs.approximate === 'tanh' ? { expr: `geluTanh(${x.name})`, kernel: 'geluTanh' } : { expr: `gelu(${x.name})`, kernel: 'gelu' },
    pytorch: { forward: (n, { xs: [x] }) => `F.gelu(${x}, approximate=${py.pyStr(n.attrs.approximate as string)})` },
    onnx: geluOnnx,
  },
  [{ name: 'approximate', type: { kind: 'enum', values: ['none', 'tanh'] }, default: 'none', doc: '"none": exact erf form; "tanh": the tanh approximation.' }],
);
const dimAttr: AttrSpec = {
  name: 'dim',
  type: { kind: 'dim' },
  default: -1,
  doc: 'Dimension to normalise over (0 is the batch; negative counts from the end).',
};
const checkDim =
  (op: string): OpSpec['infer'] =>
  ([x], a) => {
    dimOf(x, a.dim as number, op);
    return x;
  };
// Per element: the max, x − max, exp, the sum, and a division (Softmax) or the subtraction of log Σ (LogSoftmax; the
// log is once per row, left out); backward dx = y·(dy − Σ dy·y), or dy − softmax·Σ dy (exp again): 4 each.
elementwise(
  'Softmax',
  'Activations',
  'exp(x) / Σ exp(x) along dim, max-shifted for stability.',
  { formula: 'yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)', backwardNote: '∂ℓ/∂xᵢ = yᵢ · (gᵢ − Σⱼ gⱼ · yⱼ)', formulaNote: 'i, j along dim' },
  (x, a) => softmax(x, a.dim as number),
  () => [5, 4],
  softmaxLowering('softmax', false),
  [dimAttr],
  checkDim('Softmax'),
);
elementwise(
  'LogSoftmax',
  'Activations',
  'x − log Σ exp(x) along dim, computed stably.',
  { formula: 'yᵢ = xᵢ − log Σⱼ e^(xⱼ)', backwardNote: '∂ℓ/∂xᵢ = gᵢ − softmax(x)ᵢ · Σⱼ gⱼ', formulaNote: 'i, j along dim' },
  (x, a) => logSoftmax(x, a.dim as number),
  () => [5, 4],
  softmaxLowering('logSoftmax', true),
  [dimAttr],
  checkDim('LogSoftmax'),
);

registerOp({
  op: 'Dropout',
  category: 'Layers',
  summary: 'Zeroes elements with probability p while training (scaling the rest by 1/(1−p)); identity otherwise.',
  formula: 'y = x · m / (1 − p) in training, y = x in eval',
  formulaNote: 'm ~ Bernoulli(1 − p), drawn per element and step',
  backwardNote: '∂ℓ/∂x = g · m / (1 − p): the same mask as the forward',
  attrs: [{ name: 'p', type: { kind: 'float', min: 0, max: 1 }, default: 0.5, doc: 'Probability of zeroing an element.' }],
  inputs: { ports: ['input'] },
  keyAttrs: ['p'],
  trainMode: 'random',
  infer(inputs) {
    requireFloat(inputs, 'Dropout');
    return { shape: [...inputs[0].shape], dtype: 'float32' };
  },
  forward: ([x], a, ctx) => dropout(x, a.p as number, ctx.dropout, ctx.dropout ? ctx.rng() : (null as never)),
  // In training: a product by the mask each way (drawing the mask is not arithmetic on the data). p = 0 is the identity.
  flops(_x, a, y, batch, needsGrad) {
    const n = a.p === 0 ? 0 : valuesOf(y, batch);
    return { forward: n, backward: needsGrad[0] ? n : 0 };
  },
  lower: {
    engine: ({ node, xs: [x] }) => `bp.dropout(${x}, ${num(node.attrs.p as number)}, training, new bp.Random(SEED, 'dropout', step, ${str(node.id)}))`,
    // Inference: the identity.
    standalone: ({ xs: [x] }) => ({ expr: x.name }),
    pytorch: py.call((n) => `nn.Dropout(p=${py.pyFloat(n.attrs.p as number)})`),
    onnx: onnx.unary('Identity'),
  },
});
