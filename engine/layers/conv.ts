import { registerOp, requireFloat, known, fail, valuesOf, type ParamSpec, type Window } from '../graph/registry';
import type { Attrs, AttrSpec } from '../graph/attrs';
import type { TensorType } from '../graph/types';
import { formatType } from '../graph/types';
import { avgPool2d, conv2d, convOutSize, maxPool2d, pair, poolPaddingMessage, windowTooLargeMessage, type Pair } from '../ops/conv';
import { pairLiteral, type EngineNode, type StandaloneNode } from '../codegen/lowering';
import * as py from '../codegen/pytorch/lowering';
import * as onnx from '../codegen/onnx/lowering';

/** Conv2d's window: its stride attribute is declared with the default 1. */
const convWindow = (a: Attrs): Window => ({ kernel: pair(a.kernelSize as Pair), stride: pair(a.stride as Pair), padding: pair(a.padding as Pair) });

/** A pooling window: without a stride, the windows tile the input (stride = kernel size), as PyTorch. */
const poolWindow = (a: Attrs): Window => ({
  kernel: pair(a.kernelSize as Pair),
  stride: pair((a.stride ?? a.kernelSize) as Pair),
  padding: pair(a.padding as Pair),
});

/** The standalone kernels' Geometry literal for a windowed node: its input, window and output sizes. */
function geometry({ node, xs: [x], out }: StandaloneNode, outC: number): string {
  const [c, h, w] = x.type.shape.slice(1) as number[];
  const {
    kernel: [kh, kw],
    stride: [sh, sw],
    padding: [ph, pw],
  } = node.spec!.window!(node.attrs);
  const [oh, ow] = out.shape.slice(2) as number[];
  return `{ n: batch, c: ${c}, h: ${h}, w: ${w}, outC: ${outC}, kh: ${kh}, kw: ${kw}, sh: ${sh}, sw: ${sw}, ph: ${ph}, pw: ${pw}, oh: ${oh}, ow: ${ow} }`;
}

/** A pool as the engine's API takes it: kernel, stride and padding, each one number where both sides agree. */
const enginePool =
  (fn: string) =>
  ({ node, xs: [x] }: EngineNode) => {
    const { kernel, stride, padding } = node.spec!.window!(node.attrs);
    return `bp.${fn}(${x}, ${pairLiteral(kernel)}, ${pairLiteral(stride)}, ${pairLiteral(padding)})`;
  };

function spatial(x: TensorType, win: Window, op: string, outC: number | 'same'): TensorType {
  requireFloat([x], op);
  if (x.shape.length !== 4 || x.shape[0] !== 'N') fail(`${op} expects an NCHW input [N, C, H, W], found ${formatType(x)}`);
  const c = known(x.shape[1], `${op}: the channel dimension`);
  const h = known(x.shape[2], `${op}: the height`),
    w = known(x.shape[3], `${op}: the width`);
  const {
    kernel: [kh, kw],
    stride: [sh, sw],
    padding: [ph, pw],
  } = win;
  if (op !== 'Conv2d' && (ph > kh / 2 || pw > kw / 2)) fail(poolPaddingMessage(op, [kh, kw], [ph, pw]));
  const oh = convOutSize(h, kh, sh, ph),
    ow = convOutSize(w, kw, sw, pw);
  if (oh < 1 || ow < 1) fail(windowTooLargeMessage(op, [kh, kw], [ph, pw], [h, w]));
  return { shape: ['N', outC === 'same' ? c : outC, oh, ow], dtype: 'float32' };
}

const kernelAttrs = (strideDoc: string): AttrSpec[] => [
  { name: 'kernelSize', type: { kind: 'pair', min: 1 }, doc: 'Window size: a number or [h, w].' },
  { name: 'stride', type: { kind: 'pair', min: 1 }, optional: true, doc: strideDoc },
  { name: 'padding', type: { kind: 'pair', min: 0 }, default: 0, doc: 'Zero padding on each side: a number or [h, w].' },
];

registerOp({
  op: 'Conv2d',
  category: 'Layers',
  summary: '2-D convolution over NCHW input (cross-correlation, as PyTorch).',
  formula: 'y[n,o] = b[o] + Σᵢ W[o,i] ⋆ x[n,i]',
  formulaNote: 'W: [outChannels, inChannels, kH, kW]; ⋆: 2-D cross-correlation with stride and zero padding',
  backwardNote: '∂ℓ/∂x = g convolved back through W (a transposed convolution),  ∂ℓ/∂W[o,i] = Σₙ g[n,o] ⋆ x[n,i],  ∂ℓ/∂b[o] = Σ g[·,o]',
  attrs: [
    { name: 'outChannels', type: { kind: 'int', min: 1, max: 1 << 16 }, doc: 'Number of output channels.' },
    ...kernelAttrs('Step between windows: a number or [h, w]. Default 1.').map((s) => (s.name === 'stride' ? { ...s, optional: false, default: 1 } : s)),
    { name: 'bias', type: { kind: 'bool' }, default: true, doc: 'Learn an additive bias per channel.' },
  ],
  inputs: { ports: ['input'] },
  keyAttrs: ['outChannels', 'kernelSize'],
  window: convWindow,
  infer: ([x], a) => spatial(x, convWindow(a), 'Conv2d', a.outChannels as number),
  params([x], a) {
    const inC = x.shape[1] as number;
    const [kh, kw] = convWindow(a).kernel;
    const outC = a.outChannels as number;
    const fanIn = inC * kh * kw;
    const ps: ParamSpec[] = [{ name: 'weight', shape: [outC, inC, kh, kw], init: { kind: 'kaimingUniform', fanIn }, l1: true }];
    if (a.bias) ps.push({ name: 'bias', shape: [outC], init: { kind: 'biasUniform', fanIn } });
    return ps;
  },
  forward([x], a, ctx) {
    const { stride, padding } = convWindow(a);
    return conv2d(x, ctx.params.weight, ctx.params.bias ?? null, stride, padding);
  },
  flops([x], a, y, batch, needsGrad) {
    const [kh, kw] = convWindow(a).kernel;
    const outs = valuesOf(y, batch);
    // Each output value is a dot product over the kernel volume inC·kH·kW; the input and weight gradients are as large.
    const product = 2 * outs * (x.shape[1] as number) * kh * kw;
    const bias = a.bias ? outs : 0;
    return { forward: product + bias, backward: (needsGrad[0] ? product : 0) + product + bias };
  },
  lower: {
    engine: ({ node, xs: [x], param, optional }) => {
      const { stride, padding } = convWindow(node.attrs);
      return `bp.conv2d(${x}, ${param('weight')}, ${optional('bias')}, ${pairLiteral(stride)}, ${pairLiteral(padding)})`;
    },
    standalone: (c) => ({
      expr: `conv2d(${c.xs[0].name}, ${c.weight('weight')}, ${c.weight('bias')}, ${geometry(c, c.node.attrs.outChannels as number)})`,
      kernel: 'conv2d',
    }),
    pytorch: py.call((n, [x]) => {
      const { kernel, stride, padding } = convWindow(n.attrs);
      return `nn.Conv2d(${py.pyNum(py.fixed(x.shape[1]))}, ${py.pyNum(n.attrs.outChannels as number)}, kernel_size=${py.pyPair(kernel)}, stride=${py.pyPair(stride)}, padding=${py.pyPair(padding)}, bias=${py.pyBool(n.attrs.bias)})`;
    }),
    onnx: (n, [{ name: x }], e) => {
      const b = e.param('bias');
      const w = e.param('weight')!;
      return e.result('Conv', b ? [x, w, b] : [x, w], { ...onnx.window(n), dilations: onnx.ints([1, 1]), group: onnx.int(1) });
    },
  },
});

registerOp({
  op: 'MaxPool2d',
  category: 'Layers',
  summary: 'Maximum over each window; the gradient goes to the first maximum.',
  formula: 'y[n,c,i,j] = max over a, b of x[n, c, sH·i + a − pH, sW·j + b − pW]',
  formulaNote: '0 ≤ a < kH, 0 ≤ b < kW; padding is −∞',
  backwardNote: '∂ℓ/∂x: each g[n,c,i,j] goes to the first maximum of its window; every other input gets 0',
  attrs: kernelAttrs('Step between windows. Default: the kernel size.'),
  inputs: { ports: ['input'] },
  keyAttrs: ['kernelSize'],
  window: poolWindow,
  infer: ([x], a) => spatial(x, poolWindow(a), 'MaxPool2d', 'same'),
  forward([x], a) {
    const { kernel, stride, padding } = poolWindow(a);
    return maxPool2d(x, kernel, stride, padding);
  },
  // A comparison per window element; backward adds each output gradient into its window's maximum.
  flops(_x, a, y, batch, needsGrad) {
    const [kh, kw] = poolWindow(a).kernel;
    const outs = valuesOf(y, batch);
    return { forward: outs * kh * kw, backward: needsGrad[0] ? outs : 0 };
  },
  lower: {
    engine: enginePool('maxPool2d'),
    standalone: (c) => ({ expr: `maxPool2d(${c.xs[0].name}, ${geometry(c, c.xs[0].type.shape[1] as number)})`, kernel: 'maxPool2d' }),
    pytorch: py.call((n) => {
      const { kernel, stride, padding } = poolWindow(n.attrs);
      return `nn.MaxPool2d(kernel_size=${py.pyPair(kernel)}, stride=${py.pyPair(stride)}, padding=${py.pyPair(padding)})`;
    }),
    onnx: (n, [{ name: x }], e) => e.result('MaxPool', [x], onnx.window(n)),
  },
});

registerOp({
  op: 'AvgPool2d',
  category: 'Layers',
  summary: 'Mean over each window (padding counts in the divisor, as PyTorch).',
  formula: 'y[n,c,i,j] = 1/(kH·kW) · Σ over a, b of x[n, c, sH·i + a − pH, sW·j + b − pW]',
  formulaNote: '0 ≤ a < kH, 0 ≤ b < kW; padding is 0 and counts in the divisor',
  backwardNote: '∂ℓ/∂x: each g[n,c,i,j] / (kH·kW) to every input of its window',
  attrs: kernelAttrs('Step between windows. Default: the kernel size.'),
  inputs: { ports: ['input'] },
  keyAttrs: ['kernelSize'],
  window: poolWindow,
  infer: ([x], a) => spatial(x, poolWindow(a), 'AvgPool2d', 'same'),
  forward([x], a) {
    const { kernel, stride, padding } = poolWindow(a);
    return avgPool2d(x, kernel, stride, padding);
  },
  // An add per window element and a division; backward scales each output gradient and adds it over its window.
  flops(_x, a, y, batch, needsGrad) {
    const [kh, kw] = poolWindow(a).kernel;
    const cost = valuesOf(y, batch) * (kh * kw + 1);
    return { forward: cost, backward: needsGrad[0] ? cost : 0 };
  },
  lower: {
    engine: enginePool('avgPool2d'),
    standalone: (c) => ({ expr: `avgPool2d(${c.xs[0].name}, ${geometry(c, c.xs[0].type.shape[1] as number)})`, kernel: 'avgPool2d' }),
    pytorch: py.call((n) => {
      const { kernel, stride, padding } = poolWindow(n.attrs);
      return `nn.AvgPool2d(kernel_size=${py.pyPair(kernel)}, stride=${py.pyPair(stride)}, padding=${py.pyPair(padding)}, count_include_pad=True)`;
    }),
    // PyTorch's (and the engine's) average counts the zero padding in the divisor.
    onnx: (n, [{ name: x }], e) => e.result('AveragePool', [x], { ...onnx.window(n), count_include_pad: onnx.int(1) }),
  },
});
