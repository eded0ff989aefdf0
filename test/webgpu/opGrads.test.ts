// Every op's forward and gradients on WebGPU against the CPU: the random valid graphs that, together, use every op
// of the registry (test/engine/graph.test.ts checks that they do), each run through one training-mode pass and its
// backward on both backends. Outputs and gradients (every parameter, every float Input) agree to within 1e-4 of
// each tensor's largest magnitude.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { allOps, backend, setBackend, GraphModel, Tensor, type Backend } from '../../engine';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { gradCommand } from '../../cli/commands';
import { randomModel } from '../engine/randomGraph';
import { skipWithoutDevice, testDevice } from './device';

let gpu: WebGpuBackend;
let skip: string | false = false;

before(async () => {
  skip = await skipWithoutDevice();
  if (!skip) gpu = new WebGpuBackend((await testDevice()).device!);
});

const SEEDS = Array.from({ length: 30 }, (_, i) => i);

async function grad(b: Backend, seed: number) {
  const previous = backend();
  setBackend(b);
  try {
    const r = randomModel(seed);
    const model = GraphModel.create(JSON.stringify(r.model));
    const feeds: Record<string, Tensor> = {};
    for (const [id, f] of Object.entries(r.feeds)) feeds[id] = Tensor.fromData(f.data, f.shape, f.dtype);
    return { ops: r.ops, result: await gradCommand(model, feeds) };
  } finally {
    setBackend(previous);
  }
}

type Json = { shape: number[]; data: (number | string)[] };
const num = (v: number | string) => (typeof v === 'number' ? v : Number(v));

function close(what: string, got: Json, want: Json): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const scale = Math.max(1, ...want.data.map((v) => Math.abs(num(v))).filter(Number.isFinite));
  want.data.forEach((w, i) => {
    const g = num(got.data[i]);
    assert.ok(Math.abs(g - num(w)) <= 1e-4 * scale, `${what}[${i}]: ${g} on WebGPU, ${w} on the CPU`);
  });
}

test("every op: random graphs give the CPU's outputs, loss and gradients on WebGPU", async (t) => {
  if (skip) return t.skip(skip);
  const seen = new Set<string>();
  for (const seed of SEEDS) {
    const cpu = await grad(backend(), seed);
    const onGpu = await grad(gpu, seed);
    cpu.ops.forEach((op) => seen.add(op));
    const where = `seed ${seed}`;
    assert.ok(
      Math.abs(num(onGpu.result.loss) - num(cpu.result.loss)) <= 1e-4 * Math.max(1, Math.abs(num(cpu.result.loss))),
      `${where}: loss ${onGpu.result.loss} vs ${cpu.result.loss}`,
    );
    for (const [id, v] of Object.entries(cpu.result.outputs)) close(`${where} output ${id}`, onGpu.result.outputs[id] as Json, v as Json);
    for (const [key, v] of Object.entries(cpu.result.grads)) close(`${where} grad ${key}`, onGpu.result.grads[key] as Json, v as Json);
  }
  assert.deepEqual(
    allOps()
      .map((o) => o.op)
      .filter((op) => !seen.has(op)),
    [],
    'the graphs use every op',
  );
});
