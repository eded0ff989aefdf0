// The NaN guard after the step's one read (the loss, the gradients' finite flags and the outputs read together, after
// backward): a bad loss and a bad gradient alone each stop the step naming the node where the values first went bad,
// with no weight changed, on the CPU and on WebGPU alike.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { backend, setBackend, GraphModel, TrainingNonFiniteError as NonFiniteError, Trainer, type Backend, type Dataset } from '../../engine';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { skipWithoutDevice, testDevice } from './device';

let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

const IN = 6,
  HIDDEN = 4,
  CLASSES = 3,
  N = 16;

/**
 * x [N, 6] → fc1 (Linear 4, all zero: its output is exactly 0 whatever x holds) → fc2 (Linear 3, weight[c][h] = 100·c,
 * no bias) → cross-entropy. The logits are 0, so the loss is ln 3 for any finite x. With every label 0 the gradient
 * arriving at fc1's output is 100·(Σc c·pc)/N = 100/16 a value, finite; fc1.weight's gradient is that times x summed
 * over the batch: x = 3e38 makes it overflow to +Inf while the loss stays finite.
 */
const model = JSON.stringify({
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [IN] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: HIDDEN } },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: CLASSES, bias: false } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  params: {
    'fc1.weight': { shape: [HIDDEN, IN], data: new Array<number>(HIDDEN * IN).fill(0) },
    'fc1.bias': { shape: [HIDDEN], data: new Array<number>(HIDDEN).fill(0) },
    'fc2.weight': { shape: [CLASSES, HIDDEN], data: Array.from({ length: CLASSES * HIDDEN }, (_, i) => 100 * Math.floor(i / HIDDEN)) },
  },
  training: { seed: 5, optimizer: { type: 'Adam', lr: 0.1 } },
});

const dataset = (inputs: Float32Array): Dataset => ({
  n: N,
  inputs,
  inputShape: [IN],
  targets: new Int32Array(N),
  targetShape: [],
  targetDtype: 'int32',
});
const clean = Float32Array.from({ length: N * IN }, (_, i) => Math.cos(i * 0.7));

/** One step on `b`: the error it stopped with and whether every state tensor (weights, buffers) is as it was. */
async function failingStep(b: Backend, json: string, d: Dataset) {
  const previous = backend();
  setBackend(b);
  try {
    const m = GraphModel.create(json);
    const read = async () => new Map(await Promise.all([...m.state].map(async ([k, t]) => [k, Array.from(await t.data())] as const)));
    const before = await read();
    const trainer = new Trainer(m, d, null, { batchSize: N, epochs: 1, seed: 1 });
    const stopped = await trainer.trainStep().then(
      () => null,
      (e: unknown) => {
        if (!(e instanceof NonFiniteError)) throw e;
        return e;
      },
    );
    return { stopped, untouched: JSON.stringify([...(await read())]) === JSON.stringify([...before]), step: trainer.step };
  } finally {
    setBackend(previous);
  }
}

const backends = (): [string, () => Backend | null][] => [
  ['the CPU', () => backend()],
  ['WebGPU', () => (skip ? null : gpu)],
];

for (const [name, pick] of backends()) {
  test(`${name}: a NaN in the batch makes the loss non-finite; the step stops at the input, no weight changed`, async (t) => {
    const b = pick();
    if (!b) return t.skip(skip || 'no device');
    const inputs = clean.slice();
    inputs[IN + 2] = NaN; // one value of the second sample
    const r = await failingStep(b, model, dataset(inputs));
    assert.ok(r.stopped, 'the step stops');
    assert.equal(r.stopped.step, 1);
    assert.equal(r.stopped.nodeId, 'x');
    assert.match(r.stopped.detail, /output of node "x"/);
    assert.ok(r.untouched, 'weights untouched');
    assert.equal(r.step, 0, 'no step counted');
  });

  test(`${name}: a finite loss whose weight gradient overflows stops at fc1, no weight changed`, async (t) => {
    const b = pick();
    if (!b) return t.skip(skip || 'no device');
    const r = await failingStep(b, model, dataset(new Float32Array(N * IN).fill(3e38)));
    assert.ok(r.stopped, 'the step stops');
    assert.equal(r.stopped.step, 1);
    assert.equal(r.stopped.nodeId, 'fc1');
    assert.match(r.stopped.detail, /the gradient of fc1\.weight/);
    assert.ok(r.untouched, 'weights untouched');
    assert.equal(r.step, 0, 'no step counted');
  });

  test(`${name}: the same model on ordinary inputs trains (the guard is what stopped the others)`, async (t) => {
    const b = pick();
    if (!b) return t.skip(skip || 'no device');
    const r = await failingStep(b, model, dataset(clean));
    assert.equal(r.stopped, null);
    assert.equal(r.step, 1);
    assert.ok(!r.untouched, 'the update changed the weights');
  });
}
