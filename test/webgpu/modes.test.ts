// What training does besides the products behaves on WebGPU as on the CPU: Dropout's seeded masks, BatchNorm's
// batch statistics and running estimates, every optimizer (SGD with momentum and Nesterov, Adam, AdamW, weight
// decay), and the NaN guard stopping at the same step and node.
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

/** x [N, 6] → Linear 12 (no bias) → BatchNorm1d → ReLU → Dropout 0.3 → Linear 3 → cross-entropy, with the given optimizer. */
const model = (optimizer: Record<string, unknown>) =>
  JSON.stringify({
    format: 'nn-graph',
    version: 1,
    name: 'modes',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [6] } },
      // No bias before BatchNorm: its gradient is zero up to rounding, which Adam would amplify into noise that
      // differs with the order of any sum (as between PyTorch's CPU and CUDA kernels).
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 12, bias: false } },
      { id: 'bn', op: 'BatchNorm1d' },
      { id: 'act', op: 'ReLU' },
      { id: 'drop', op: 'Dropout', attrs: { p: 0.3 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'bn' },
      { from: 'bn', to: 'act' },
      { from: 'act', to: 'drop' },
      { from: 'drop', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 3, optimizer },
  });

const N = 48;
const data: Dataset = {
  n: N,
  inputs: Float32Array.from({ length: N * 6 }, (_, i) => Math.sin(i * 1.7) * 2),
  inputShape: [6],
  targets: Float32Array.from({ length: N }, (_, i) => i % 3),
  targetShape: [],
  targetDtype: 'int32',
};

async function train(b: Backend, json: string, steps: number, d: Dataset = data) {
  const previous = backend();
  setBackend(b);
  try {
    const m = GraphModel.create(json);
    const trainer = new Trainer(m, d, null, { batchSize: 16, epochs: 100, seed: 3 });
    const losses: number[] = [];
    let stopped: NonFiniteError | null = null;
    try {
      for (let s = 0; s < steps; s++) losses.push((await trainer.trainStep()).loss);
    } catch (e) {
      if (!(e instanceof NonFiniteError)) throw e;
      stopped = e;
    }
    const state = new Map<string, Float32Array>();
    for (const [key, t] of m.state) state.set(key, Float32Array.from((await t.data()) as Float32Array));
    return { losses, state, stopped };
  } finally {
    setBackend(previous);
  }
}

const OPTIMIZERS: Record<string, unknown>[] = [
  { type: 'SGD', lr: 0.1 },
  { type: 'SGD', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { type: 'SGD', lr: 0.05, momentum: 0.8, dampening: 0.1 },
  { type: 'Adam', lr: 0.01, weightDecay: 0.001 },
  { type: 'AdamW', lr: 0.01 },
];

for (const optimizer of OPTIMIZERS) {
  test(`Dropout, BatchNorm and ${JSON.stringify(optimizer)}: 10 steps on WebGPU equal the CPU's`, async (t) => {
    if (skip) return t.skip(skip);
    const json = model(optimizer);
    const cpu = await train(backend(), json, 10);
    const onGpu = await train(gpu, json, 10);
    cpu.losses.forEach((l, s) =>
      assert.ok(Math.abs(onGpu.losses[s] - l) <= 1e-4 * Math.abs(l), `step ${s + 1}: ${onGpu.losses[s]} on WebGPU, ${l} on the CPU`),
    );
    for (const [key, w] of cpu.state) {
      const g = onGpu.state.get(key)!;
      // The running statistics are in the state too: BatchNorm updated them the same way.
      for (let i = 0; i < w.length; i++)
        assert.ok(Math.abs(g[i] - w[i]) <= 1e-5 + 1e-3 * Math.abs(w[i]), `${key}[${i}]: ${g[i]} on WebGPU, ${w[i]} on the CPU`);
    }
  });
}

test('the NaN guard stops at the same step and names the same node on WebGPU', async (t) => {
  if (skip) return t.skip(skip);
  // A huge learning rate makes the loss overflow after a few steps.
  const json = model({ type: 'SGD', lr: 1e30 });
  const cpu = await train(backend(), json, 10);
  const onGpu = await train(gpu, json, 10);
  assert.ok(cpu.stopped, 'the CPU run stops');
  assert.ok(onGpu.stopped, 'the WebGPU run stops');
  assert.equal(onGpu.stopped.step, cpu.stopped.step);
  assert.equal(onGpu.stopped.nodeId, cpu.stopped.nodeId);
  assert.equal(onGpu.losses.length, cpu.losses.length);
});
