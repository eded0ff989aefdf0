import { registerOp, requireFloat, type OpSpec } from '../graph/registry';
import type { AttrSpec, Attrs } from '../graph/attrs';
import type { Tensor } from '../tensor';
import * as ops from '../ops/unary';
import { logSoftmax, softmax } from '../ops/softmax';
import { dropout } from '../ops/dropout';
import { dimOf } from './common';

/** Ops whose output has the input's shape and type. */
type Formula = Pick<OpSpec, 'formula' | 'formulaNote'>;

function elementwise(op: string, category: OpSpec['category'], summary: string, formula: Formula, fn: (x: Tensor, a: Attrs) => Tensor, attrs: AttrSpec[] = [], check?: OpSpec['infer']): void {
  registerOp({
    op, category, summary, ...formula, attrs, inputs: { ports: ['input'] }, keyAttrs: attrs.map((a) => a.name),
    infer(inputs, a) {
      requireFloat(inputs, op);
      check?.(inputs, a);
      return { shape: [...inputs[0].shape], dtype: 'float32' };
    },
    forward: ([x], a) => fn(x, a),
  });
}

elementwise('ReLU', 'Activations', 'max(0, x); gradient 0 at 0.', { formula: 'y = max(0, x)' }, (x) => ops.relu(x));
elementwise('LeakyReLU', 'Activations', 'x for x > 0, negativeSlope·x otherwise.', { formula: 'y = max(0, x) + negativeSlope · min(0, x)' }, (x, a) => ops.leakyRelu(x, a.negativeSlope as number), [
  { name: 'negativeSlope', type: { kind: 'float' }, default: 0.01, doc: 'Slope for negative inputs.' },
]);
elementwise('Tanh', 'Activations', 'Hyperbolic tangent.', { formula: 'y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)' }, (x) => ops.tanh(x));
elementwise('Sigmoid', 'Activations', '1 / (1 + e^−x).', { formula: 'y = σ(x) = 1 / (1 + e^(−x))' }, (x) => ops.sigmoid(x));
elementwise('GELU', 'Activations', 'x·Φ(x) (erf form), or its tanh approximation.',
  { formula: 'y = x · Φ(x)', formulaNote: 'Φ the standard normal CDF; approximate "tanh": y = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))' }, (x, a) => ops.gelu(x, a.approximate as 'none' | 'tanh'), [
  { name: 'approximate', type: { kind: 'enum', values: ['none', 'tanh'] }, default: 'none', doc: '"none": exact erf form; "tanh": the tanh approximation.' },
]);
const dimAttr: AttrSpec = { name: 'dim', type: { kind: 'dim' }, default: -1, doc: 'Dimension to normalise over (0 is the batch; negative counts from the end).' };
const checkDim = (op: string): OpSpec['infer'] => ([x], a) => {
  dimOf(x, a.dim as number, op);
  return x;
};
elementwise('Softmax', 'Activations', 'exp(x) / Σ exp(x) along dim, max-shifted for stability.', { formula: 'yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)', formulaNote: 'i, j along dim' }, (x, a) => softmax(x, a.dim as number), [dimAttr], checkDim('Softmax'));
elementwise('LogSoftmax', 'Activations', 'x − log Σ exp(x) along dim, computed stably.', { formula: 'yᵢ = xᵢ − log Σⱼ e^(xⱼ)', formulaNote: 'i, j along dim' }, (x, a) => logSoftmax(x, a.dim as number), [dimAttr], checkDim('LogSoftmax'));

registerOp({
  op: 'Dropout', category: 'Layers', summary: 'Zeroes elements with probability p while training (scaling the rest by 1/(1−p)); identity otherwise.',
  formula: 'y = x · m / (1 − p) in training, y = x in eval', formulaNote: 'm ~ Bernoulli(1 − p), drawn per element and step',
  attrs: [{ name: 'p', type: { kind: 'float', min: 0, max: 1 }, default: 0.5, doc: 'Probability of zeroing an element.' }],
  inputs: { ports: ['input'] }, keyAttrs: ['p'],
  infer(inputs) {
    requireFloat(inputs, 'Dropout');
    return { shape: [...inputs[0].shape], dtype: 'float32' };
  },
  forward: ([x], a, ctx) => dropout(x, a.p as number, ctx.dropout, ctx.dropout ? ctx.rng() : (null as never)),
});
