/** Softmax and log-softmax along a dim, max-shifted so large logits do not overflow. */
import { record } from '../autograd';
import { ShapeError, formatShape, normDim, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { B, assertFloat, wrap } from './util';

function along(x: Tensor, dim: number, op: string): [number, number, number] {
  const d = normDim(dim, x.rank);
  if (d === null) throw new ShapeError(`${op}: dim ${dim} is out of range for ${formatShape(x.shape)}`);
  return [sizeOf(x.shape.slice(0, d)), x.shape[d], sizeOf(x.shape.slice(d + 1))];
}

function softmaxOp(x: Tensor, dim: number, log: boolean): Tensor {
  const name = log ? 'LogSoftmax' : 'Softmax';
  assertFloat(x, name);
  const [outer, n, inner] = along(x, dim, name);
  const y = wrap(B().softmax(x.storage, outer, n, inner, log), x.shape);
  return record(name, [x], y, (gy) => [wrap(B().softmaxBackward(y.storage, gy.storage, outer, n, inner, log), x.shape)]);
}

export const softmax = (x: Tensor, dim = -1) => softmaxOp(x, dim, false);
export const logSoftmax = (x: Tensor, dim = -1) => softmaxOp(x, dim, true);
