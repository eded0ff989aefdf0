/**
 * The benchmark's workloads, built twice from the same initial values: once on this engine's
 * tensor-level API and once on TF.js (idiomatic layouts there: dense kernels [in, out], conv kernels
 * HWIO, NHWC activations; with one input channel NCHW and NHWC hold the same bytes).
 */
import * as E from '../engine';
import type * as TF from '@tensorflow/tfjs';

export const SEED = 1234;
export const LR = 1e-3;

export const MLP = { batch: 64, sizes: [784, 256, 128, 10] } as const;
export const CNN = { batch: 32, h: 28, w: 28, c1: 8, c2: 16, k: 3, classes: 10 } as const;

/** Flattened features after conv(3)→pool(2)→conv(3)→pool(2) on 28×28: 16 × 5 × 5. */
export function cnnFlatFeatures(): number {
  let s = CNN.h - CNN.k + 1; // 26
  s = Math.floor(s / 2); // 13
  s = s - CNN.k + 1; // 11
  s = Math.floor(s / 2); // 5
  return CNN.c2 * s * s;
}

export interface LinearInit {
  w: Float32Array;
  b: Float32Array;
  inF: number;
  outF: number;
}
export interface ConvInit {
  w: Float32Array;
  b: Float32Array;
  inC: number;
  outC: number;
  k: number;
}

function linearInit(inF: number, outF: number, key: string): LinearInit {
  return {
    w: E.init.kaimingUniformA5(outF * inF, inF, E.init.paramStream(SEED, `${key}.weight`)),
    b: E.init.biasUniform(outF, inF, E.init.paramStream(SEED, `${key}.bias`)),
    inF,
    outF,
  };
}

function convInit(inC: number, outC: number, k: number, key: string): ConvInit {
  const fanIn = inC * k * k;
  return {
    w: E.init.kaimingUniformA5(outC * fanIn, fanIn, E.init.paramStream(SEED, `${key}.weight`)),
    b: E.init.biasUniform(outC, fanIn, E.init.paramStream(SEED, `${key}.bias`)),
    inC,
    outC,
    k,
  };
}

export interface Batch {
  x: Float32Array;
  xShape: number[];
  labels: Int32Array;
  classes: number;
}

function makeBatch(key: string, xShape: number[], classes: number): Batch {
  const rng = new E.Random(SEED, 'bench', key);
  const n = xShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(); // pixel-like values in [0, 1)
  const labels = new Int32Array(xShape[0]);
  for (let i = 0; i < labels.length; i++) labels[i] = rng.int(classes);
  return { x, xShape, labels, classes };
}

export function randomMatrix(rows: number, cols: number, key: string): Float32Array {
  const rng = new E.Random(SEED, 'bench', key);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniformRange(-1, 1);
  return out;
}

export interface MlpSpec {
  layers: LinearInit[];
  batch: Batch;
}
export interface CnnSpec {
  conv1: ConvInit;
  conv2: ConvInit;
  fc: LinearInit;
  batch: Batch;
}

/** The MLP at `batch` (the engine bench's 64 by default; the WebGPU rows also take 1024). */
export function mlpSpec(batch: number = MLP.batch): MlpSpec {
  const s = MLP.sizes;
  return {
    layers: [linearInit(s[0], s[1], 'fc1'), linearInit(s[1], s[2], 'fc2'), linearInit(s[2], s[3], 'fc3')],
    batch: makeBatch('mlp', [batch, s[0]], s[3]),
  };
}

/** The CNN at `batch` (the engine bench's 32 by default; the WebGPU rows also take 256). */
export function cnnSpec(batch: number = CNN.batch): CnnSpec {
  return {
    conv1: convInit(1, CNN.c1, CNN.k, 'conv1'),
    conv2: convInit(CNN.c1, CNN.c2, CNN.k, 'conv2'),
    fc: linearInit(cnnFlatFeatures(), CNN.classes, 'fc'),
    batch: makeBatch('cnn', [batch, 1, CNN.h, CNN.w], CNN.classes),
  };
}

/** A model on one framework: forward (loss, recorded for autograd where it trains) and a full training step. */
export interface Runner {
  /** Forward pass to the loss; returns the loss value (read back, so the work is done). */
  forward(): number;
  /** Forward + backward + SGD update; returns the loss value. */
  step(): number;
  /**
   * The engine only: the same step with its phases timed by the engine's profiler (engine/train/profile.ts, as
   * `backprop-studio profile` and the training panel's cost meter time them).
   */
  timedStep?(): E.PhaseTimes;
  dispose(): void;
}

// ---------------------------------------------------------------- engine

const param = (data: Float32Array, shape: number[]) => E.Tensor.fromData(data, shape, 'float32', true);

/** A forward pass is the loss; a training step is zeroGrad, backward, (the probe), SGD step. */
function sgdRunner(loss: () => E.Tensor, opt: E.SGD, probe?: () => void): Runner {
  return {
    forward: () => loss().itemSync(),
    step: () => {
      const l = loss();
      opt.zeroGrad();
      l.backward();
      probe?.();
      opt.step();
      return l.itemSync();
    },
    timedStep: () => {
      const clock = new E.StepClock();
      opt.zeroGrad();
      clock.begin();
      const l = loss();
      l.itemSync();
      clock.end('forward');
      clock.begin();
      l.backward();
      clock.end('backward');
      probe?.();
      clock.begin();
      opt.step();
      clock.end('update');
      return clock.phases();
    },
    dispose: () => {},
  };
}

/** A model on the engine's tensor API: its loss (recorded for autograd) and its SGD, on the backend current when built. */
export interface EngineModel {
  loss: () => E.Tensor;
  opt: E.SGD;
}

export function engineMlpModel(spec: MlpSpec): EngineModel {
  const ps = spec.layers.map((l) => ({ w: param(l.w, [l.outF, l.inF]), b: param(l.b, [l.outF]) }));
  const x = E.Tensor.fromData(spec.batch.x, spec.batch.xShape);
  const y = E.Tensor.fromData(spec.batch.labels, [spec.batch.labels.length], 'int32');
  const opt = new E.SGD(
    ps.flatMap((p) => [p.w, p.b]),
    { lr: LR },
  );
  const loss = () => {
    let h = E.relu(E.linear(x, ps[0].w, ps[0].b));
    h = E.relu(E.linear(h, ps[1].w, ps[1].b));
    return E.crossEntropyLoss(E.linear(h, ps[2].w, ps[2].b), y);
  };
  return { loss, opt };
}

export function engineCnnModel(spec: CnnSpec): EngineModel {
  const { conv1: c1, conv2: c2, fc } = spec;
  const w1 = param(c1.w, [c1.outC, c1.inC, c1.k, c1.k]),
    b1 = param(c1.b, [c1.outC]);
  const w2 = param(c2.w, [c2.outC, c2.inC, c2.k, c2.k]),
    b2 = param(c2.b, [c2.outC]);
  const w3 = param(fc.w, [fc.outF, fc.inF]),
    b3 = param(fc.b, [fc.outF]);
  const x = E.Tensor.fromData(spec.batch.x, spec.batch.xShape);
  const y = E.Tensor.fromData(spec.batch.labels, [spec.batch.labels.length], 'int32');
  const opt = new E.SGD([w1, b1, w2, b2, w3, b3], { lr: LR });
  const loss = () => {
    let h = E.maxPool2d(E.relu(E.conv2d(x, w1, b1)), 2);
    h = E.maxPool2d(E.relu(E.conv2d(h, w2, b2)), 2);
    return E.crossEntropyLoss(E.linear(E.flatten(h), w3, b3), y);
  };
  return { loss, opt };
}

export function engineMlp(spec: MlpSpec, probe?: () => void): Runner {
  const { loss, opt } = engineMlpModel(spec);
  return sgdRunner(loss, opt, probe);
}

export function engineCnn(spec: CnnSpec, probe?: () => void): Runner {
  const { loss, opt } = engineCnnModel(spec);
  return sgdRunner(loss, opt, probe);
}

export function engineMatmul(n: number, probe?: () => void): { run: () => void; check: () => number } {
  const a = E.Tensor.fromData(randomMatrix(n, n, `mm${n}a`), [n, n]);
  const b = E.Tensor.fromData(randomMatrix(n, n, `mm${n}b`), [n, n]);
  let last: E.Tensor | null = null;
  return {
    run: () => {
      last = E.matmul(a, b);
      last.dataSync();
      probe?.();
    },
    check: () => (last ? last.dataSync()[0] : NaN),
  };
}

// ---------------------------------------------------------------- TF.js

/** Engine layout [out, in] → TF.js dense kernel [in, out]. */
function denseKernel(l: LinearInit): Float32Array {
  const out = new Float32Array(l.w.length);
  for (let o = 0; o < l.outF; o++) for (let i = 0; i < l.inF; i++) out[i * l.outF + o] = l.w[o * l.inF + i];
  return out;
}

/** Engine layout OIHW → TF.js HWIO. */
function convKernel(c: ConvInit): Float32Array {
  const out = new Float32Array(c.w.length);
  const { inC, outC, k } = c;
  for (let o = 0; o < outC; o++)
    for (let i = 0; i < inC; i++)
      for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) out[((y * k + x) * inC + i) * outC + o] = c.w[((o * inC + i) * k + y) * k + x];
  return out;
}

function tfRunner(tf: typeof TF, vars: TF.Variable[], lossFn: () => TF.Scalar, extra: TF.Tensor[]): Runner {
  const opt = tf.train.sgd(LR);
  return {
    forward: () => {
      const l = tf.tidy(lossFn);
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    step: () => {
      const cost = opt.minimize(lossFn, true, vars)!;
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    },
    dispose: () => {
      opt.dispose();
      for (const t of [...vars, ...extra]) t.dispose();
    },
  };
}

export function tfMlp(tf: typeof TF, spec: MlpSpec): Runner {
  const vs = spec.layers.flatMap((l) => [tf.variable(tf.tensor2d(denseKernel(l), [l.inF, l.outF]), true), tf.variable(tf.tensor1d(l.b), true)]);
  const x = tf.tensor2d(spec.batch.x, spec.batch.xShape as [number, number]);
  const y = tf.oneHot(tf.tensor1d(spec.batch.labels, 'int32'), spec.batch.classes);
  const lossFn = () => {
    let h = tf.relu(tf.add(tf.matMul(x, vs[0]), vs[1]));
    h = tf.relu(tf.add(tf.matMul(h, vs[2]), vs[3]));
    const logits = tf.add(tf.matMul(h, vs[4]), vs[5]);
    return tf.losses.softmaxCrossEntropy(y, logits) as TF.Scalar;
  };
  return tfRunner(tf, vs, lossFn, [x, y]);
}

export function tfCnn(tf: typeof TF, spec: CnnSpec): Runner {
  const { conv1: c1, conv2: c2, fc } = spec;
  const vs = [
    tf.variable(tf.tensor4d(convKernel(c1), [c1.k, c1.k, c1.inC, c1.outC]), true),
    tf.variable(tf.tensor1d(c1.b), true),
    tf.variable(tf.tensor4d(convKernel(c2), [c2.k, c2.k, c2.inC, c2.outC]), true),
    tf.variable(tf.tensor1d(c2.b), true),
    tf.variable(tf.tensor2d(fcKernelNhwc(fc), [fc.inF, fc.outF]), true),
    tf.variable(tf.tensor1d(fc.b), true),
  ];
  const [n, , h, w] = spec.batch.xShape;
  const x = tf.tensor4d(spec.batch.x, [n, h, w, 1]);
  const y = tf.oneHot(tf.tensor1d(spec.batch.labels, 'int32'), spec.batch.classes);
  const lossFn = () => {
    let a: TF.Tensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, vs[0] as TF.Tensor4D, 1, 'valid'), vs[1])) as TF.Tensor4D, 2, 2, 'valid');
    a = tf.maxPool(tf.relu(tf.add(tf.conv2d(a, vs[2] as TF.Tensor4D, 1, 'valid'), vs[3])) as TF.Tensor4D, 2, 2, 'valid');
    const logits = tf.add(tf.matMul(tf.reshape(a, [n, -1]), vs[4]), vs[5]);
    return tf.losses.softmaxCrossEntropy(y, logits) as TF.Scalar;
  };
  return tfRunner(tf, vs, lossFn, [x, y]);
}

/**
 * The engine flattens NCHW (feature index c·25 + s); TF.js flattens NHWC (s·16 + c). Permute the dense
 * kernel's rows so both compute the same function from the same initial values.
 */
function fcKernelNhwc(l: LinearInit): Float32Array {
  const out = new Float32Array(l.w.length);
  const c = CNN.c2;
  const s = l.inF / c;
  for (let o = 0; o < l.outF; o++) for (let ci = 0; ci < c; ci++) for (let si = 0; si < s; si++) out[(si * c + ci) * l.outF + o] = l.w[o * l.inF + ci * s + si];
  return out;
}

export function tfMatmul(tf: typeof TF, n: number): { run: () => void; check: () => number; dispose: () => void } {
  const a = tf.tensor2d(randomMatrix(n, n, `mm${n}a`), [n, n]);
  const b = tf.tensor2d(randomMatrix(n, n, `mm${n}b`), [n, n]);
  let first = NaN;
  return {
    run: () => {
      const c = tf.matMul(a, b);
      first = c.dataSync()[0];
      c.dispose();
    },
    check: () => first,
    dispose: () => {
      a.dispose();
      b.dispose();
    },
  };
}
