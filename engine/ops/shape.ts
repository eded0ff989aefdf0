/** Ops that only move values: reshape, flatten, concat. */
import { record } from '../autograd';
import { ShapeError, formatShape, normDim, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { B, wrap } from './util';

/** Same values, new shape (sharing storage); one -1 is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveReshape(x.shape, shape);
  if (typeof resolved === 'string') throw new ShapeError(`reshape: ${resolved}`);
  const y = new Tensor(x.storage, resolved, x.dtype);
  return record('Reshape', [x], y, (gy) => [new Tensor(gy.storage, x.shape, gy.dtype)]);
}

/** The shape rule of reshape: the target with its -1 filled in, or a message saying why it cannot be. */
export function resolveReshape(from: readonly number[], to: readonly number[]): number[] | string {
  const total = sizeOf(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1) return `shape ${formatShape(to)} has more than one -1`;
  if (to.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) return `shape ${formatShape(to)} must hold positive integers (and at most one -1)`;
  const known = to.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) return `cannot reshape ${formatShape(from)} (${total} values) into ${formatShape(to)}`;
    return to.map((d) => (d === -1 ? total / known : d));
  }
  if (known !== total) return `cannot reshape ${formatShape(from)} (${total} values) into ${formatShape(to)} (${known} values)`;
  return [...to];
}

/** All dims after the batch into one. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0], x.size / Math.max(x.shape[0], 1)]);
}

function outerInner(shape: readonly number[], dim: number): [number, number] {
  return [sizeOf(shape.slice(0, dim)), sizeOf(shape.slice(dim + 1))];
}

/** Concatenate along dim; every other dim must match. Backward slices the gradient back apart. */
export function concat(xs: readonly Tensor[], dim = -1): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: no inputs');
  const first = xs[0];
  const d = normDim(dim, first.rank);
  if (d === null) throw new ShapeError(`concat: dim ${dim} is out of range for ${formatShape(first.shape)}`);
  for (const x of xs) {
    if (x.rank !== first.rank || x.shape.some((v, i) => i !== d && v !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${formatShape(first.shape)} and ${formatShape(x.shape)} differ outside dim ${dim}`);
    }
  }
  const [outer, inner] = outerInner(first.shape, d);
  const dims = xs.map((x) => x.shape[d]);
  const total = dims.reduce((a, b) => a + b, 0);
  const shape = first.shape.map((v, i) => (i === d ? total : v));
  const y = wrap(
    B().concat(
      xs.map((x) => x.storage),
      outer,
      dims,
      inner,
    ),
    shape,
    first.dtype,
  );
  return record('Concat', xs, y, (gy) => {
    let start = 0;
    return xs.map((x, i) => {
      const g = x.requiresGrad ? wrap(B().slice(gy.storage, outer, total, inner, start, dims[i]), x.shape) : null;
      start += dims[i];
      return g;
    });
  });
}
