/**
 * BatchNorm1d and LayerNorm, composed from primitive ops so their backward is the chain rule through
 * those ops (no hand-derived formula to get wrong).
 */
import { noGrad } from '../autograd';
import { ShapeError, formatShape } from '../shape';
import { Tensor } from '../tensor';
import { add, mul, scalar, sub } from './binary';
import { mean } from './reduce';
import { rsqrt, square } from './unary';
import { B, assertFloat, wrap } from './util';

export interface BatchNormState {
  runningMean: Tensor;
  runningVar: Tensor;
}

/** x [N, C]. Training: batch statistics (biased variance), running estimates updated with the unbiased one. */
export function batchNorm1d(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  state: BatchNormState,
  opts: { training: boolean; momentum?: number; eps?: number },
): Tensor {
  assertFloat(x, 'BatchNorm1d');
  if (x.rank !== 2) throw new ShapeError(`BatchNorm1d: expected [N, C], got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  let y: Tensor;
  if (opts.training) {
    if (n < 2) throw new ShapeError(`BatchNorm1d: expected more than 1 value per channel when training, got input of shape ${formatShape(x.shape)}`);
    const mu = mean(x, [0], true);
    const xc = sub(x, mu);
    const variance = mean(square(xc), [0], true);
    y = mul(xc, rsqrt(add(variance, scalar(eps))));
    noGrad(() => {
      const rm = state.runningMean,
        rv = state.runningVar;
      rm.storage = B().axpby(rm.storage, 1 - momentum, mu.storage, momentum, c);
      rv.storage = B().axpby(rv.storage, 1 - momentum, variance.storage, (momentum * n) / (n - 1), c);
    });
  } else {
    const rm = state.runningMean,
      rv = state.runningVar;
    y = mul(sub(x, rm), rsqrt(add(rv, scalar(eps))));
  }
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** Normalises over the last dim. */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  assertFloat(x, 'LayerNorm');
  const last = x.rank - 1;
  const mu = mean(x, [last], true);
  const xc = sub(x, mu);
  const variance = mean(square(xc), [last], true);
  let y = mul(xc, rsqrt(add(variance, scalar(eps))));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

export function emptyBatchNormState(c: number): BatchNormState {
  return { runningMean: Tensor.zeros([c]), runningVar: wrap(B().full(c, 1), [c]) };
}
