/** Elementwise activations and math. Each: y = f(x) forward, dx = f'(x)·dy backward (kernels hold f and f'). */
import { record } from '../autograd';
import type { UnaryOp } from '../backend/backend';
import type { Tensor } from '../tensor';
import { B, assertFloat, wrap } from './util';

function unaryOp(name: string, op: UnaryOp, x: Tensor, param?: number): Tensor {
  assertFloat(x, name);
  const y = wrap(B().unary(op, x.storage, x.size, param), x.shape);
  return record(name, [x], y, (gy) => [wrap(B().unaryBackward(op, x.storage, y.storage, gy.storage, x.size, param), x.shape)]);
}

export const neg = (x: Tensor) => unaryOp('Neg', 'neg', x);
export const exp = (x: Tensor) => unaryOp('Exp', 'exp', x);
export const log = (x: Tensor) => unaryOp('Log', 'log', x);
export const relu = (x: Tensor) => unaryOp('ReLU', 'relu', x);
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => unaryOp('LeakyReLU', 'leakyRelu', x, negativeSlope);
export const tanh = (x: Tensor) => unaryOp('Tanh', 'tanh', x);
export const sigmoid = (x: Tensor) => unaryOp('Sigmoid', 'sigmoid', x);
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none') => unaryOp('GELU', approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
export const pow = (x: Tensor, exponent: number) => unaryOp('Pow', 'pow', x, exponent);
export const sqrt = (x: Tensor) => unaryOp('Sqrt', 'sqrt', x);
export const rsqrt = (x: Tensor) => unaryOp('Rsqrt', 'rsqrt', x);
export const square = (x: Tensor) => unaryOp('Square', 'square', x);
export const abs = (x: Tensor) => unaryOp('Abs', 'abs', x);
export const softplus = (x: Tensor) => unaryOp('Softplus', 'softplus', x);
