// The command line's --backend webgpu gives what --backend cpu gives: grad, train (on a feed and on the model's dataset)
// and predict on the example models, through the real binary, compared within float32 tolerances. Without an adapter
// the command exits 1 with one line saying so.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors } from '../../engine';
import { SWIFTSHADER_ICD, skipWithoutDevice } from './device';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'backprop-studio.js');
const EXAMPLES = join(ROOT, 'examples');
const dir = mkdtempSync(join(tmpdir(), 'bps-cli-gpu-'));

/** The tests' Vulkan driver (the CLI never picks one itself) and a runtime folder that quiets the loader. */
const gpuEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  ...(!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD) ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}),
  XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(join(tmpdir(), 'bps-xdg-')),
});

function cli(args: string[], env: NodeJS.ProcessEnv = gpuEnv()) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command on both backends; each must succeed. */
function both(args: string[]): { cpu: unknown; gpu: unknown } {
  const run = (backend: string) => {
    const r = cli([...args, '--backend', backend]);
    assert.equal(r.code, 0, `--backend ${backend} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown;
  };
  return { cpu: run('cpu'), gpu: run('webgpu') };
}

/** A seeded stream of numbers in [-1, 1), so the feeds are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** Every number of `gpu` within `tol` of the same place in `cpu`, walking both JSON trees together. */
function assertClose(gpu: unknown, cpu: unknown, tol: (c: number, scale: number) => number, where = '', scale = 1): void {
  if (typeof cpu === 'number') {
    assert.equal(typeof gpu, 'number', `${where}: ${JSON.stringify(gpu)} on WebGPU, ${cpu} on the CPU`);
    assert.ok(Math.abs((gpu as number) - cpu) <= tol(cpu, scale), `${where}: ${gpu} on WebGPU, ${cpu} on the CPU`);
    return;
  }
  if (Array.isArray(cpu)) {
    assert.ok(Array.isArray(gpu) && gpu.length === cpu.length, `${where}: lengths differ`);
    // A tensor's values are held to its largest magnitude (sums of products cancel: a small entry's relative error is not float32's).
    const s = cpu.every((v) => typeof v === 'number') ? Math.max(...cpu.map((v: number) => Math.abs(v)), 1e-30) : scale;
    cpu.forEach((c, i) => assertClose((gpu as unknown[])[i], c, tol, `${where}[${i}]`, s));
    return;
  }
  if (cpu && typeof cpu === 'object') {
    assert.ok(gpu && typeof gpu === 'object', `${where}: not an object on WebGPU`);
    assert.deepEqual(Object.keys(gpu as object).sort(), Object.keys(cpu).sort(), `${where}: other keys on WebGPU`);
    for (const [k, v] of Object.entries(cpu)) assertClose((gpu as Record<string, unknown>)[k], v, tol, where ? `${where}.${k}` : k, scale);
    return;
  }
  assert.deepEqual(gpu, cpu, where);
}

/** A float32 pass in another order of summation: 1e-4 of the tensor's largest magnitude, and a floor. */
const passTol = (_c: number, scale: number) => 1e-6 + 1e-4 * scale;
/** Training compounds the differences: the parity test's tolerances (1e-5 + 1e-3·|w|). */
const trainTol = (c: number) => 1e-5 + 1e-3 * Math.abs(c);

let skip: string | false = false;
const feeds: Record<string, string> = {};

before(async () => {
  skip = await skipWithoutDevice();
  // Feeds for the examples without one: a batch of 3 (odd) points of 2 classes for the residual MLP, 2 images for the CNN.
  const write = (name: string, input: string, shape: number[], target: string, classes: number, seed: number) => {
    const r = random(seed);
    const n = shape[0];
    const size = shape.reduce((a, b) => a * b, 1);
    const p = join(dir, name);
    writeFileSync(
      p,
      JSON.stringify({
        [input]: { shape, data: Array.from({ length: size }, r) },
        [target]: { shape: [n], data: Array.from({ length: n }, (_, i) => (i * 7 + seed) % classes) },
      }),
    );
    feeds[name] = p;
  };
  write('residual.feed.json', 'x', [3, 2], 'y', 2, 1);
  write('cnn.feed.json', 'image', [2, 1, 28, 28], 'label', 10, 2);
});

const cases: [string, string, () => string][] = [
  ['xor', 'xor.nn.json', () => join(EXAMPLES, 'xor.feed.json')],
  ['residual MLP', 'residual-mlp.nn.json', () => feeds['residual.feed.json']],
  ['CNN', 'mnist-cnn.nn.json', () => feeds['cnn.feed.json']],
];

for (const [name, model, feed] of cases) {
  test(`${name}: grad on WebGPU gives the CPU's loss, outputs and gradients`, (t) => {
    if (skip) return t.skip(skip);
    const { cpu, gpu } = both(['grad', join(EXAMPLES, model), '--feed', feed()]);
    const c = cpu as { loss: number };
    assert.ok(Math.abs((gpu as { loss: number }).loss - c.loss) <= 1e-5 * Math.abs(c.loss), 'loss');
    assertClose(gpu, cpu, passTol);
  });

  test(`${name}: predict on WebGPU gives the CPU's outputs`, (t) => {
    if (skip) return t.skip(skip);
    const { cpu, gpu } = both(['predict', join(EXAMPLES, model), '--feed', feed()]);
    assertClose(gpu, cpu, passTol);
  });

  test(`${name}: 5 train steps on WebGPU give the CPU's losses and parameters`, (t) => {
    if (skip) return t.skip(skip);
    const { cpu, gpu } = both(['train', join(EXAMPLES, model), '--feed', feed(), '--steps', '5']);
    const losses = (x: unknown) => (x as { losses: number[] }).losses;
    assert.equal(losses(gpu).length, 5);
    losses(cpu).forEach((l, s) => assert.ok(Math.abs(losses(gpu)[s] - l) <= 1e-4 * Math.abs(l), `step ${s + 1}: ${losses(gpu)[s]} on WebGPU, ${l} on the CPU`));
    assertClose((gpu as { params: unknown }).params, (cpu as { params: unknown }).params, trainTol, 'params');
  });
}

test("train on the model's dataset: WebGPU writes the CPU's weights", (t) => {
  if (skip) return t.skip(skip);
  const weights: Record<string, Record<string, { data: ArrayLike<number> }>> = {};
  for (const backend of ['cpu', 'webgpu']) {
    // A copy per backend: the weights are written beside the model.
    const d = mkdtempSync(join(dir, `${backend}-`));
    const model = join(d, 'xor.nn.json');
    copyFileSync(join(EXAMPLES, 'xor.nn.json'), model);
    const r = cli(['train', model, '--epochs', '20', '--backend', backend]);
    assert.equal(r.code, 0, `--backend ${backend}: ${r.stderr}`);
    assert.match(r.stderr, /weights written to/);
    if (backend === 'webgpu') assert.match(r.stderr, /^training on WebGPU, /);
    else assert.doesNotMatch(r.stderr, /training on/);
    const file = decodeSafetensors(new Uint8Array(readFileSync(join(d, 'xor.safetensors'))));
    weights[backend] = file.tensors as never;
  }
  const cpu = weights.cpu;
  assert.deepEqual(Object.keys(weights.webgpu).sort(), Object.keys(cpu).sort());
  for (const [key, w] of Object.entries(cpu)) {
    const g = weights.webgpu[key].data;
    for (let i = 0; i < w.data.length; i++)
      assert.ok(Math.abs(g[i] - w.data[i]) <= trainTol(w.data[i]), `${key}[${i}]: ${g[i]} on WebGPU, ${w.data[i]} on the CPU`);
  }
});

test('profile says which backend ran', (t) => {
  if (skip) return t.skip(skip);
  const out = join(dir, 'profile.json');
  const r = cli(['profile', join(EXAMPLES, 'xor.nn.json'), '--feed', join(EXAMPLES, 'xor.feed.json'), '--steps', '2', '--backend', 'webgpu', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^backend: WebGPU, /m);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { backend: { name: string; adapter?: { software: boolean } } };
  assert.equal(json.backend.name, 'webgpu');
  assert.equal(typeof json.backend.adapter?.software, 'boolean');
  const cpu = cli(['profile', join(EXAMPLES, 'xor.nn.json'), '--feed', join(EXAMPLES, 'xor.feed.json'), '--steps', '2']);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.match(cpu.stdout, /^backend: CPU$/m);
});

test('no adapter: exit 1 with one line that says so', () => {
  // Needs no adapter, so it runs everywhere: a Vulkan driver file that is not there.
  const r = cli(['grad', join(EXAMPLES, 'xor.nn.json'), '--feed', join(EXAMPLES, 'xor.feed.json'), '--backend', 'webgpu'], {
    ...gpuEnv(),
    VK_ICD_FILENAMES: join(dir, 'no-such-icd.json'),
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^backprop-studio: no WebGPU adapter: VK_ICD_FILENAMES names .*no-such-icd\.json, which does not exist/);
});

test('--backend is checked before any work', () => {
  const model = join(EXAMPLES, 'xor.nn.json');
  const bad = cli(['grad', model, '--feed', join(EXAMPLES, 'xor.feed.json'), '--backend', 'gpu']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--backend must be cpu or webgpu, not "gpu"/);
  const gradcheck = cli(['gradcheck', model, '--backend', 'webgpu']);
  assert.equal(gradcheck.code, 2);
  assert.match(gradcheck.stderr, /--backend applies to grad, train, predict, profile, not gradcheck/);
  const exported = cli(['export', model, '--target', 'onnx', '--out', join(dir, 'x.onnx'), '--backend', 'cpu']);
  assert.equal(exported.code, 2);
});
