/**
 * Index layouts the broadcasting kernels take as parameters: an output shape and, per operand, its strides along
 * it (0 where the operand is broadcast). Adjacent dims that every operand walks contiguously are merged first, so
 * the common cases (equal shapes, a bias row, a per-channel column) reach the GPU as one or two dims.
 */
import type { Shape } from '../../../shape';
import { stridesOf } from '../../../shape';
import { u, type Param } from '../context';

/** The most dims a strided kernel indexes after merging; more is refused (the engine's shapes stay far below). */
export const MAX_RANK = 6;

/** Strides of `shape` aligned right against outShape, 0 along broadcast dims. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const s = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_d, k) => (k < off || shape[k - off] === 1 ? 0 : s[k - off]));
}

/** Merges dims every operand walks contiguously; drops dims of size 1. */
export function collapse(shape: Shape, strides: readonly number[][]): { shape: number[]; strides: number[][] } {
  const keep = shape.map((d, k) => ({ d, k })).filter(({ d }) => d !== 1);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const { d, k } of keep) {
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, j) => outStrides[j][last] === s[k] * d);
    if (mergeable) {
      outShape[last] *= d;
      strides.forEach((s, j) => (outStrides[j][last] = s[k]));
    } else {
      outShape.push(d);
      strides.forEach((s, j) => outStrides[j].push(s[k]));
    }
  }
  if (outShape.length > MAX_RANK) throw new Error(`webgpu backend: a broadcast over ${outShape.length} independent dims (at most ${MAX_RANK})`);
  return { shape: outShape, strides: outStrides };
}

/** The layout as parameters: rank, then the shape padded to MAX_RANK, then each operand's strides padded. */
export function layoutParams(layout: { shape: number[]; strides: number[][] }): Param[] {
  const pad = (xs: number[], v: number) => [...xs, ...Array<number>(MAX_RANK - xs.length).fill(v)].map(u);
  return [u(layout.shape.length), ...pad(layout.shape, 1), ...layout.strides.flatMap((s) => pad(s, 0))];
}

/** WGSL declarations of a layout with `operands` stride arrays, as layoutParams writes it. */
export function layoutFields(operands: number): string {
  const strides = Array.from({ length: operands }, (_, j) => `  s${j}: array<u32, ${MAX_RANK}>,`).join('\n');
  return `  rank: u32,\n  shape: array<u32, ${MAX_RANK}>,\n${strides}`;
}

/** WGSL: the offset of flat output index `o` in operand `j`'s memory. */
export function offsetFn(operands: number): string {
  return Array.from(
    { length: operands },
    (_, j) => `fn offset${j}(o: u32) -> u32 {
  var rest = o;
  var at = 0u;
  for (var d = i32(P.rank) - 1; d >= 0; d--) {
    let k = rest % P.shape[d];
    rest = rest / P.shape[d];
    at += k * P.s${j}[d];
  }
  return at;
}`,
  ).join('\n');
}
