// What a WebGPU training step reads back: in ONE read, one flag per parameter gradient, the loss, the L1 penalty when
// there is one and a classifier's outputs for the batch accuracy (the labels are the host's); nothing else.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { backend, setBackend, GraphModel, Trainer, type Dataset } from '../../engine';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { skipWithoutDevice, testDevice } from './device';

let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

test('allFiniteEach: one read for every tensor and the values riding along, NaN and ±Inf found, the largest float finite', async (t) => {
  if (skip) return t.skip(skip);
  const cases: [Float32Array, boolean][] = [
    [Float32Array.of(1, -2, 3), true],
    [Float32Array.of(1, NaN, 3), false],
    [new Float32Array(1037).fill(0.5).fill(Infinity, 1036), false],
    [Float32Array.of(-Infinity), false],
    [Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38), true],
    [new Float32Array(0), true],
  ];
  // Values next to the flags: a scalar, a NaN (read as it is, not judged), and the first 3 of a longer tensor.
  const values = [Float32Array.of(2.5), Float32Array.of(NaN), Float32Array.of(-1, 0.25, 7, 99, 100)];
  const sizes = [1, 1, 3];
  const reads = gpu.ctx.reads;
  const got = await gpu.allFiniteEach(
    cases.map(([x]) => ({ x: gpu.upload(x), size: x.length })),
    values.map((x, k) => ({ x: gpu.upload(x), size: sizes[k] })),
  );
  assert.equal(gpu.ctx.reads - reads, 1, 'one read');
  assert.deepEqual(
    got.finite,
    cases.map(([, want]) => want),
  );
  assert.deepEqual(
    got.values.map((v) => Array.from(v)),
    values.map((x, k) => Array.from(x.subarray(0, sizes[k]))),
  );
});

const width = 64,
  classes = 3,
  batch = 32;
const nodes = [
  { id: 'x', op: 'Input', attrs: { shape: [width] } },
  { id: 'fc1', op: 'Linear', attrs: { outFeatures: width } },
  { id: 'act', op: 'ReLU' },
  { id: 'fc2', op: 'Linear', attrs: { outFeatures: width } },
  { id: 'act2', op: 'ReLU' },
  { id: 'fc3', op: 'Linear', attrs: { outFeatures: classes } },
  { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
  { id: 'loss', op: 'CrossEntropyLoss' },
];
const classifier = (training: Record<string, unknown>) =>
  JSON.stringify({
    format: 'nn-graph',
    version: 1,
    nodes,
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'act2' },
      { from: 'act2', to: 'fc3' },
      { from: 'fc3', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 1, optimizer: { type: 'Adam', lr: 0.01 }, ...training },
  });

for (const l1 of [0, 1e-4]) {
  test(`a training step on WebGPU${l1 ? ' with training.l1' : ''} is ONE read: gradient flags, loss${l1 ? ', penalty' : ''} and the batch outputs`, async (t) => {
    if (skip) return t.skip(skip);
    const n = 128;
    const d: Dataset = {
      n,
      inputs: Float32Array.from({ length: n * width }, (_, i) => Math.sin(i)),
      inputShape: [width],
      targets: Int32Array.from({ length: n }, (_, i) => i % classes),
      targetShape: [],
      targetDtype: 'int32',
    };
    const previous = backend();
    setBackend(gpu);
    try {
      const trainer = new Trainer(GraphModel.create(classifier(l1 ? { l1 } : {})), d, null, { batchSize: batch, epochs: 1, seed: 1 });
      await trainer.trainStep();
      const reads = gpu.ctx.reads,
        bytes = gpu.ctx.bytesRead;
      const r = await trainer.trainStep();
      assert.ok(r.accuracy !== undefined && Number.isFinite(r.loss));
      assert.equal(r.l1Penalty !== undefined, l1 > 0, 'the penalty is reported when set');
      // A Linear has a weight and a bias: one flag (4 bytes) each. Then the loss, the penalty, the logits batch × classes.
      const flags = 2 * nodes.filter((v) => v.op === 'Linear').length;
      assert.equal(gpu.ctx.reads - reads, 1, 'reads in a step');
      assert.equal(gpu.ctx.bytesRead - bytes, 4 * flags + 4 + (l1 ? 4 : 0) + batch * classes * 4, 'bytes in a step');
    } finally {
      setBackend(previous);
    }
  });
}
