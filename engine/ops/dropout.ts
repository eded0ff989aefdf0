/** Inverted dropout: zero each element with probability p and scale the rest by 1/(1−p). */
import { Tensor } from '../tensor';
import type { Random } from '../nn/random';
import { mul } from './binary';

export function dropout(x: Tensor, p: number, training: boolean, rng: Random): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const mask = new Float32Array(x.size);
  if (p < 1) {
    const keep = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() >= p ? keep : 0;
  }
  return mul(x, Tensor.fromData(mask, x.shape));
}
