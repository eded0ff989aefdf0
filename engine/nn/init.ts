/** PyTorch's default initialisers, drawn from the project's seeded generator, one stream per key. */
import { Random } from './random';

/** kaiming_uniform_(a=√5): bound = gain·√(3/fan_in) with gain = √(2/(1+a²)), i.e. 1/√fan_in. */
export function kaimingUniformA5(size: number, fanIn: number, rng: Random): Float32Array {
  const gain = Math.sqrt(2 / (1 + 5));
  const bound = gain * Math.sqrt(3 / fanIn);
  return uniformFill(size, -bound, bound, rng);
}

/** Linear/Conv2d bias: uniform(−1/√fan_in, 1/√fan_in). */
export function biasUniform(size: number, fanIn: number, rng: Random): Float32Array {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniformFill(size, -bound, bound, rng);
}

export function uniformFill(size: number, lo: number, hi: number, rng: Random): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniformRange(lo, hi);
  return out;
}

export function normalFill(size: number, mean: number, std: number, rng: Random): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = mean + std * rng.normal();
  return out;
}

export const onesFill = (size: number) => new Float32Array(size).fill(1);
export const zerosFill = (size: number) => new Float32Array(size);

/** The stream for one parameter key under a seed. */
export const paramStream = (seed: number, key: string) => new Random(seed, 'init', key);
