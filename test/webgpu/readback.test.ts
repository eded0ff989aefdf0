// What a WebGPU training step reads back, read by read: the loss, one flag per parameter gradient (all in one read),
// and a classifier's outputs for the batch accuracy (the labels are the host's); nothing else, whatever the model.
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

test('allFiniteEach: one read for every tensor, NaN and ±Inf found, the largest float finite', async (t) => {
  if (skip) return t.skip(skip);
  const cases: [Float32Array, boolean][] = [
    [Float32Array.of(1, -2, 3), true],
    [Float32Array.of(1, NaN, 3), false],
    [new Float32Array(1037).fill(0.5).fill(Infinity, 1036), false],
    [Float32Array.of(-Infinity), false],
    [Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38), true],
    [new Float32Array(0), true],
  ];
  const reads = gpu.ctx.reads;
  const got = await gpu.allFiniteEach(cases.map(([x]) => ({ x: gpu.upload(x), size: x.length })));
  assert.equal(gpu.ctx.reads - reads, 1, 'one read');
  assert.deepEqual(
    got,
    cases.map(([, want]) => want),
  );
});

test("a training step on WebGPU reads the loss, the gradients' finite flags together and the batch outputs: three reads", async (t) => {
  if (skip) return t.skip(skip);
  const json = JSON.stringify({
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [64] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 64 } },
      { id: 'act', op: 'ReLU' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 64 } },
      { id: 'act2', op: 'ReLU' },
      { id: 'fc3', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'act2' },
      { from: 'act2', to: 'fc3' },
      { from: 'fc3', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 1, optimizer: { type: 'Adam', lr: 0.01 } },
  });
  const n = 128;
  const d: Dataset = {
    n,
    inputs: Float32Array.from({ length: n * 64 }, (_, i) => Math.sin(i)),
    inputShape: [64],
    targets: Int32Array.from({ length: n }, (_, i) => i % 3),
    targetShape: [],
    targetDtype: 'int32',
  };
  const previous = backend();
  setBackend(gpu);
  try {
    const trainer = new Trainer(GraphModel.create(json), d, null, { batchSize: 32, epochs: 1, seed: 1 });
    await trainer.trainStep();
    const reads = gpu.ctx.reads,
      bytes = gpu.ctx.bytesRead;
    const r = await trainer.trainStep();
    assert.ok(r.accuracy !== undefined && Number.isFinite(r.loss));
    // The loss (4 bytes), six parameters' flags (24), the logits 32 × 3 (384): not the labels, not a read a parameter.
    assert.equal(gpu.ctx.reads - reads, 3, 'reads in a step');
    assert.equal(gpu.ctx.bytesRead - bytes, 4 + 6 * 4 + 32 * 3 * 4, 'bytes in a step');
  } finally {
    setBackend(previous);
  }
});
