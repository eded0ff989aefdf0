import { backend, type Backend, type DType, type Storage } from '../backend/backend';
import { Tensor } from '../tensor';
import type { Shape } from '../shape';

export const B = (): Backend => backend();

/** A fresh tensor around storage a kernel just produced. */
export function wrap(storage: Storage, shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(storage, shape, dtype);
}

export function assertFloat(x: Tensor, op: string): void {
  if (x.dtype !== 'float32') throw new TypeError(`${op} expects a float32 tensor, got ${x.dtype}`);
}
