/** Shape-rule helpers over static types, where the batch dim is the symbol N. */
import { normDim } from '../shape';
import { fail } from '../graph/registry';
import { formatType, type Dim, type TensorType } from '../graph/types';

export const float = (shape: Dim[]): TensorType => ({ shape, dtype: 'float32' });

/** NumPy broadcasting of static shapes; N only meets N or 1. */
export function broadcastTypes(a: TensorType, b: TensorType, op: string, port = 1): Dim[] {
  const n = Math.max(a.shape.length, b.shape.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = a.shape[a.shape.length - n + i] ?? 1;
    const db = b.shape[b.shape.length - n + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else fail(`${op}: shapes ${formatType(a)} and ${formatType(b)} do not broadcast`, port);
  }
  return out;
}

export function dimOf(t: TensorType, dim: number, op: string): number {
  const d = normDim(dim, t.shape.length);
  if (d === null) fail(`${op}: dim ${dim} is out of range for a ${t.shape.length}-dim input ${formatType(t)}`);
  return d as number;
}

/** The input must be batched with at least `min` dims after the batch. */
export function needBatched(t: TensorType, min: number, op: string, what = 'input'): void {
  if (t.shape[0] !== 'N' || t.shape.length < 1 + min) {
    fail(`${op} needs a batched ${what} with at least ${min} dimension${min === 1 ? '' : 's'} after the batch, found ${formatType(t)}`);
  }
}
