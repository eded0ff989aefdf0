/** Embedding lookup: rows of the weight picked by int32 indices; backward scatters the gradient back. */
import { record } from '../autograd';
import { ShapeError, formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { B, wrap } from './util';

export function embedding(indices: Tensor, weight: Tensor): Tensor {
  if (indices.dtype !== 'int32') throw new TypeError(`Embedding expects int32 indices, got ${indices.dtype}`);
  if (weight.rank !== 2) throw new ShapeError(`Embedding: weight must be [num, dim], got ${formatShape(weight.shape)}`);
  const [num, dim] = weight.shape;
  const y = wrap(B().gather(weight.storage, indices.storage, indices.size, num, dim), [...indices.shape, dim]);
  return record('Embedding', [indices, weight], y, (gy) => [null, wrap(B().gatherBackward(gy.storage, indices.storage, indices.size, num, dim), weight.shape)]);
}
