/** Matrix products. For C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC, done by the kernel's transpose flags. */
import { record } from '../autograd';
import { ShapeError, formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { B, assertFloat, wrap } from './util';

/** 2-D (or batched 3-D with equal batch) matrix product. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertFloat(a, 'matmul');
  assertFloat(b, 'matmul');
  const batched = a.rank === 3;
  if (!((a.rank === 2 && b.rank === 2) || (a.rank === 3 && b.rank === 3 && a.shape[0] === b.shape[0]))) {
    throw new ShapeError(`matmul: expected two 2-D or two 3-D tensors with equal batch, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const batch = batched ? a.shape[0] : 1;
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  const outShape = batched ? [batch, m, n] : [m, n];
  const y = wrap(B().matmul(a.storage, b.storage, batch, m, n, k, false, false), outShape);
  return record('MatMul', [a, b], y, (gy) => [
    a.requiresGrad ? wrap(B().matmul(gy.storage, b.storage, batch, m, k, n, false, true), a.shape) : null,
    b.requiresGrad ? wrap(B().matmul(a.storage, gy.storage, batch, k, n, m, true, false), b.shape) : null,
  ]);
}

/**
 * y = x·Wᵀ + b over the last dim of x (PyTorch's F.linear; weight [out, in]). One fused op so the
 * backward needs no transposed copies: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertFloat(x, 'Linear');
  const inF = x.shape[x.rank - 1];
  const [outF, wIn] = weight.shape;
  if (weight.rank !== 2 || wIn !== inF)
    throw new ShapeError(`Linear: input ${formatShape(x.shape)} has ${inF} features but weight is ${formatShape(weight.shape)}`);
  const rows = x.size / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  let ys = B().matmul(x.storage, weight.storage, 1, rows, outF, inF, false, true);
  if (bias) ys = B().addRowVector(ys, bias.storage, rows, outF);
  const y = wrap(ys, outShape);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record('Linear', inputs, y, (gy) => [
    x.requiresGrad ? wrap(B().matmul(gy.storage, weight.storage, 1, rows, inF, outF, false, false), x.shape) : null,
    weight.requiresGrad ? wrap(B().matmul(gy.storage, x.storage, 1, outF, inF, rows, true, false), weight.shape) : null,
    bias?.requiresGrad ? wrap(B().sumTo(gy.storage, [rows, outF], [outF]), [outF]) : null,
  ]);
}
