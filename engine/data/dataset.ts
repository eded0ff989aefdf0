/**
 * Datasets bound to a model's Input and Target nodes: arrays of samples, split into training and
 * validation sets and served in shuffled minibatches, all from the model's seed.
 */
import { Tensor } from '../tensor';
import { Random } from '../nn/random';
import type { DType } from '../backend/backend';

/** Samples in row-major arrays: inputs [n, ...inputShape], targets [n, ...targetShape]. */
export interface Dataset {
  n: number;
  inputs: Float32Array;
  inputShape: number[];
  targets: Float32Array | Int32Array;
  targetShape: number[];
  targetDtype: DType;
  /** Label names for classification (index = class). */
  classes?: string[];
  /** Feature statistics the inputs were normalised with (CSV), to store in the model. */
  normalization?: { mean: number[]; std: number[] };
  /**
   * The 2-D sets: each sample's point (x1, x2), [n, 2] row-major. `inputs` holds what the Input receives,
   * which with training.dataset.inputFeatures are the features computed from these points.
   */
  raw?: Float32Array;
}

const per = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Rows `idx` of a dataset as a new dataset. */
export function subset(d: Dataset, idx: ArrayLike<number>): Dataset {
  const ni = per(d.inputShape),
    nt = per(d.targetShape);
  const inputs = new Float32Array(idx.length * ni);
  const targets = d.targetDtype === 'int32' ? new Int32Array(idx.length * nt) : new Float32Array(idx.length * nt);
  const raw = d.raw ? new Float32Array(idx.length * 2) : undefined;
  for (let r = 0; r < idx.length; r++) {
    const k = idx[r];
    inputs.set(d.inputs.subarray(k * ni, (k + 1) * ni), r * ni);
    targets.set(d.targets.subarray(k * nt, (k + 1) * nt), r * nt);
    if (raw) raw.set(d.raw!.subarray(2 * k, 2 * k + 2), 2 * r);
  }
  return { ...d, n: idx.length, inputs, targets, ...(raw ? { raw } : {}) };
}

/** Shuffle with the seed, then hold out a fraction for validation. */
export function splitDataset(d: Dataset, validationFraction: number, seed: number): { train: Dataset; validation: Dataset | null } {
  const perm = new Random(seed, 'split').permutation(d.n);
  const nVal = Math.min(d.n - 1, Math.round(d.n * validationFraction));
  if (nVal <= 0) return { train: subset(d, perm), validation: null };
  return { train: subset(d, perm.subarray(nVal)), validation: subset(d, perm.subarray(0, nVal)) };
}

export interface Batch {
  inputs: Tensor;
  targets: Tensor;
  /** The targets as the host has them: what the batch accuracy compares with, without reading them back from a GPU. */
  labels?: ArrayLike<number>;
  size: number;
}

/** Minibatches of one epoch, reshuffled per epoch from (seed, epoch). */
export function* batches(d: Dataset, batchSize: number, seed: number, epoch: number, shuffle = true): Generator<Batch> {
  const order = shuffle ? new Random(seed, 'shuffle', epoch).permutation(d.n) : Int32Array.from({ length: d.n }, (_, i) => i);
  for (let start = 0; start < d.n; start += batchSize) {
    const b = subset(d, order.subarray(start, Math.min(start + batchSize, d.n)));
    yield {
      inputs: Tensor.fromData(b.inputs, [b.n, ...d.inputShape]),
      targets: Tensor.fromData(b.targets, [b.n, ...d.targetShape], d.targetDtype),
      labels: b.targets,
      size: b.n,
    };
  }
}
