// Training on WebGPU is training on the CPU: for the MLP, CNN and residual templates, 20 steps of their Adam or
// AdamW from the same seed give the same per-step losses (1e-4 relative) and the same final weights
// (1e-5 + 1e-3·|w|) on both backends. The NaN guard, BatchNorm's running statistics and Dropout's masks run as
// they do on the CPU (Dropout's masks come from the engine's seeded generator whatever the backend).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backend, setBackend, GraphModel, Trainer, buildDataset, readDatasetSpec, type Backend, type Dataset } from '../../engine';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { templates } from '../../extension/templates';
import { skipWithoutDevice, testDevice } from './device';

let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

const STEPS = 20;
const digits = readFileSync(join(__dirname, '..', '..', 'dist', 'digits.bin'));

async function run(b: Backend, json: string, data: Dataset, batchSize: number): Promise<{ losses: number[]; state: Map<string, Float32Array> }> {
  const previous = backend();
  setBackend(b);
  try {
    const model = GraphModel.create(json);
    const trainer = new Trainer(model, data, null, { batchSize, epochs: 1000, seed: 0 });
    const losses: number[] = [];
    for (let s = 0; s < STEPS; s++) losses.push((await trainer.trainStep()).loss);
    const state = new Map<string, Float32Array>();
    for (const [key, t] of model.state) state.set(key, Float32Array.from((await t.data()) as Float32Array));
    return { losses, state };
  } finally {
    setBackend(previous);
  }
}

for (const id of ['mlp-classifier-2d', 'cnn-digits', 'residual-mlp']) {
  test(`${id}: ${STEPS} steps on WebGPU give the CPU's losses and weights`, async (t) => {
    if (skip) return t.skip(skip);
    const template = templates.find((x) => x.id === id);
    assert.ok(template, `no template ${id}`);
    const json = JSON.stringify(template.model);
    const model = GraphModel.create(json);
    const spec = readDatasetSpec(template.model.training).spec!;
    // The digits: a slice is enough for 20 steps.
    const data = buildDataset(model, spec.source === 'digits' ? { ...spec, limit: 1000 } : spec, { digits });
    const batchSize = (template.model.training?.batchSize as number | undefined) ?? 32;
    const cpu = await run(backend(), json, data, batchSize);
    const onGpu = await run(gpu, json, data, batchSize);
    cpu.losses.forEach((l, s) =>
      assert.ok(Math.abs(onGpu.losses[s] - l) <= 1e-4 * Math.abs(l), `step ${s + 1}: loss ${onGpu.losses[s]} on WebGPU, ${l} on the CPU`),
    );
    for (const [key, w] of cpu.state) {
      const g = onGpu.state.get(key)!;
      for (let i = 0; i < w.length; i++)
        assert.ok(Math.abs(g[i] - w[i]) <= 1e-5 + 1e-3 * Math.abs(w[i]), `${key}[${i}]: ${g[i]} on WebGPU, ${w[i]} on the CPU`);
    }
  });
}
