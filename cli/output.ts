import { shortestFloat32, type Tensor } from '../engine';

export interface TensorOut {
  shape: number[];
  data: number[];
}

/** A tensor as JSON; float32 values printed in the shortest form that reads back to the same float32. */
export async function tensorJson(t: Tensor): Promise<TensorOut> {
  const d = await t.data();
  return { shape: [...t.shape], data: t.dtype === 'int32' ? Array.from(d) : Array.from(d, shortestFloat32) };
}

export const lossNumber = (v: number) => shortestFloat32(v);
