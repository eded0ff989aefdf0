/**
 * Broadcasting arithmetic. Backward: each input's gradient is the upstream gradient times the local
 * derivative, summed back down to the input's shape over the broadcast dims.
 */
import { record } from '../autograd';
import type { BinaryOp } from '../backend/backend';
import { mustBroadcast, shapeEq } from '../shape';
import { Tensor } from '../tensor';
import { B, assertFloat, wrap } from './util';

function reduceTo(g: Tensor, shape: readonly number[]): Tensor {
  return shapeEq(g.shape, shape) ? g : wrap(B().sumTo(g.storage, g.shape, shape), shape);
}

function raw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const shape = mustBroadcast(a.shape, b.shape, op);
  return wrap(B().binary(op, a.storage, a.shape, b.storage, b.shape, shape), shape);
}

function check(name: string, a: Tensor, b: Tensor): void {
  assertFloat(a, name);
  assertFloat(b, name);
}

export function add(a: Tensor, b: Tensor): Tensor {
  check('Add', a, b);
  const y = raw('add', a, b);
  return record('Add', [a, b], y, (gy) => [reduceTo(gy, a.shape), reduceTo(gy, b.shape)]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  check('Sub', a, b);
  const y = raw('sub', a, b);
  return record('Sub', [a, b], y, (gy) => [
    reduceTo(gy, a.shape),
    b.requiresGrad ? reduceTo(wrap(B().unary('neg', gy.storage, gy.size), gy.shape), b.shape) : null,
  ]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  check('Mul', a, b);
  const y = raw('mul', a, b);
  return record('Mul', [a, b], y, (gy) => [
    a.requiresGrad ? reduceTo(raw('mul', gy, b), a.shape) : null,
    b.requiresGrad ? reduceTo(raw('mul', gy, a), b.shape) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  check('Div', a, b);
  const y = raw('div', a, b);
  return record('Div', [a, b], y, (gy) => [
    a.requiresGrad ? reduceTo(raw('div', gy, b), a.shape) : null,
    // d(a/b)/db = -a/b² = -y/b
    b.requiresGrad ? reduceTo(wrap(B().unary('neg', raw('div', raw('mul', gy, y), b).storage, gy.size), gy.shape), b.shape) : null,
  ]);
}

/** Sum of several tensors (the Add layer with 2 or more inputs). */
export function addN(xs: readonly Tensor[]): Tensor {
  let acc = xs[0];
  for (let i = 1; i < xs.length; i++) acc = add(acc, xs[i]);
  return acc;
}

/** A tensor holding one number, broadcastable against anything. */
export function scalar(v: number): Tensor {
  return Tensor.fromData([v], []);
}

export const mulScalar = (x: Tensor, s: number) => mul(x, scalar(s));
export const addScalar = (x: Tensor, s: number) => add(x, scalar(s));
