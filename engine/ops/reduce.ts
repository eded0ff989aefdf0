/** Sum and mean over dims. Backward broadcasts the upstream gradient back over the reduced dims. */
import { record } from '../autograd';
import { ShapeError, formatShape, normDim } from '../shape';
import type { Tensor } from '../tensor';
import { B, assertFloat, wrap } from './util';

function resolveDims(x: Tensor, dims: readonly number[] | undefined, op: string): number[] {
  if (dims === undefined) return x.shape.map((_, i) => i);
  const out = dims.map((d) => {
    const n = normDim(d, x.rank);
    if (n === null) throw new ShapeError(`${op}: dim ${d} is out of range for a tensor of shape ${formatShape(x.shape)}`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

export function reductionShape(shape: readonly number[], dims: readonly number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (dims.includes(i) ? 1 : d)) : shape.filter((_, i) => !dims.includes(i));
}

function reduce(x: Tensor, dims: readonly number[] | undefined, keepDim: boolean, mean: boolean): Tensor {
  const name = mean ? 'Mean' : 'Sum';
  assertFloat(x, name);
  const axes = resolveDims(x, dims, name);
  const kept = reductionShape(x.shape, axes, true);
  const count = axes.reduce((p, a) => p * x.shape[a], 1);
  let s = B().sum(x.storage, x.shape, axes);
  if (mean) s = B().scale(s, 1 / count, x.size / count);
  const y = wrap(s, reductionShape(x.shape, axes, keepDim));
  return record(name, [x], y, (gy) => {
    let g = B().broadcastTo(gy.storage, kept, x.shape);
    if (mean) g = B().scale(g, 1 / count, x.size);
    return [wrap(g, x.shape)];
  });
}

export const sum = (x: Tensor, dims?: readonly number[], keepDim = false) => reduce(x, dims, keepDim, false);
export const mean = (x: Tensor, dims?: readonly number[], keepDim = false) => reduce(x, dims, keepDim, true);
