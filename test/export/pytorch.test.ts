// Export to PyTorch (docs/export.md#pytorch): model.py for every example, every template and random valid graphs,
// run by PyTorch in one Python process (test/export/pytorch_driver.py) and compared with the engine: outputs, loss,
// every gradient and the running statistics after a training-mode pass, and eval-mode predictions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphModel, Tensor, allOps, analyzeModel, decodeSafetensors, encodeSafetensors, noGrad, type TensorRecords } from '../../engine';
import { exportModel, type ExportedFile } from '../../engine/codegen';
import { pytorchCases, type Case } from './pytorchModels';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const DRIVER = join(__dirname, 'pytorch_driver.py');
const GENERATOR = 'Backprop Studio test (pytorch.test.ts)';
const dir = mkdtempSync(join(tmpdir(), 'bps-pytorch-'));

/** Why torch cannot run here, or null. Without it the comparisons skip, except in CI, where they fail. */
function torchProblem(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message}); set $PYTHON or install python3`;
  if (r.status !== 0) return `${PYTHON} cannot import torch (apt-get install python3-torch): ${r.stderr.trim().split('\n').pop()}`;
  return null;
}
const problem = torchProblem();
if (problem && process.env.CI) throw new Error(`the PyTorch export tests need torch in CI: ${problem}`);
const skip = problem ? `skipped: ${problem}` : false;

interface Reference {
  /** Training mode (dropout off): outputs by id, the loss, gradients by key, state after the pass. */
  outputs: Map<string, Tensor>;
  loss: number | null;
  grads: Map<string, ArrayLike<number>>;
  state: Map<string, ArrayLike<number>>;
  /** Eval mode, from the starting weights. */
  predicted: Map<string, Tensor>;
  evalFeed: string[];
}

interface Run {
  c: Case;
  files: ExportedFile[];
  folder: string;
  ref: Reference;
  /** Ids of the float32 Inputs (their gradients are compared). */
  floatInputs: string[];
}

const runs: Run[] = [];
interface Report {
  name: string;
  ok: boolean;
  error?: string;
  seconds: number;
  refusals?: Record<string, string | null>;
}
const reports = new Map<string, Report>();
let driverSeconds = 0;

const tensorOf = (f: Case['feeds'][string]) => Tensor.fromData(f.data, f.shape, f.dtype);

/** What the engine computes, as `backprop-studio grad` does (training mode), with Dropout turned off. */
function reference(c: Case): Reference {
  const m = GraphModel.create(c.model, { sidecar: c.sidecar ?? undefined });
  const feeds: Record<string, Tensor> = Object.create(null);
  for (const [id, f] of Object.entries(c.feeds)) feeds[id] = tensorOf(f);
  for (const id of m.inputIds) if (feeds[id].dtype === 'float32') feeds[id].requiresGrad = true;
  const hasLoss = m.lossProblem() === null;
  const pass = m.forward(feeds, { training: true, dropout: false, computeLoss: hasLoss });
  const loss = pass.loss;
  if (loss?.requiresGrad) loss.backward();
  const grads = new Map<string, ArrayLike<number>>();
  if (hasLoss) {
    for (const [key, p] of m.namedParameters()) grads.set(key, p.grad ? p.grad.dataSync() : new Float32Array(p.size));
    for (const id of m.inputIds)
      if (feeds[id].dtype === 'float32') grads.set(id, feeds[id].grad ? feeds[id].grad!.dataSync() : new Float32Array(feeds[id].size));
  }
  const state = new Map([...m.state].map(([k, t]) => [k, t.dataSync()] as [string, ArrayLike<number>]));

  // Inference from the starting weights, fed the Inputs and only the Targets the outputs need.
  const a = analyzeModel(c.model);
  const need = new Set<string>();
  const stack = [...a.outputs];
  while (stack.length) {
    const id = stack.pop()!;
    if (need.has(id)) continue;
    need.add(id);
    for (const s of a.nodes.get(id)!.inputs) if (s) stack.push(s);
  }
  const evalFeed = Object.keys(c.feeds).filter((id) => a.nodes.get(id)!.spec!.op === 'Input' || need.has(id));
  const fresh = GraphModel.create(c.model, { sidecar: c.sidecar ?? undefined });
  const evalFeeds: Record<string, Tensor> = Object.create(null);
  for (const id of evalFeed) evalFeeds[id] = tensorOf(c.feeds[id]);
  const predicted = noGrad(() => fresh.forward(evalFeeds, { training: false, computeLoss: false })).outputs;
  return { outputs: pass.outputs, loss: loss ? loss.itemSync() : null, grads, state, predicted, evalFeed };
}

before(() => {
  for (const c of pytorchCases(40)) {
    const files = exportModel(c.model, { target: 'pytorch', weights: c.sidecar, embedWeights: false, generator: GENERATOR }).files;
    const folder = join(dir, c.name);
    mkdirSync(folder);
    for (const f of files) writeFileSync(join(folder, f.path), f.contents);
    const feeds: TensorRecords = {};
    for (const [id, f] of Object.entries(c.feeds)) {
      Object.defineProperty(feeds, id, {
        value: { dtype: f.dtype === 'int32' ? 'I32' : 'F32', shape: f.shape, data: f.dtype === 'int32' ? Int32Array.from(f.data) : Float32Array.from(f.data) },
        enumerable: true,
      });
    }
    writeFileSync(join(folder, 'feeds.safetensors'), encodeSafetensors(feeds));
    const a = analyzeModel(c.model);
    const floatInputs = Object.keys(c.feeds).filter((id) => a.nodes.get(id)!.spec!.op === 'Input' && c.feeds[id].dtype === 'float32');
    runs.push({ c, files, folder, ref: reference(c), floatInputs });
  }
  if (problem) return;
  const manifest = {
    cases: runs.map(({ c, folder, ref, floatInputs }, i) => ({
      name: c.name,
      dir: folder,
      feeds: join(folder, 'feeds.safetensors'),
      floatInputs: ref.loss === null ? [] : floatInputs,
      evalFeed: ref.evalFeed,
      // Both forms of int indices, and both calling forms (an Input named `self` only fits in a dict).
      int64: i % 2 === 1,
      kwargs: i % 3 !== 0 && !('self' in c.feeds),
      refusals: c.name === 'example_xor',
    })),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const start = Date.now();
  const r = spawnSync(PYTHON, [DRIVER, join(dir, 'manifest.json')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  driverSeconds = (Date.now() - start) / 1000;
  assert.equal(r.status, 0, `the driver failed:\n${r.stderr}`);
  for (const line of r.stdout.trim().split('\n')) {
    const rep = JSON.parse(line) as Report;
    reports.set(rep.name, rep);
  }
});

const close = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) assert.ok(close(got[i], want[i]), `${what}[${i}]: PyTorch ${got[i]} vs the engine's ${want[i]}`);
}

/** The key an output has in forward's dict: its id, except an output named `loss` (docs/export.md). */
const keyOf = (id: string) => (id === 'loss' ? 'output:loss' : id);

test('PyTorch computes what the engine computes: outputs, loss, every gradient, running statistics, eval predictions', { skip }, () => {
  assert.ok(runs.length >= 30, `${runs.length} cases`);
  for (const { c, folder, ref, floatInputs } of runs) {
    const rep = reports.get(c.name);
    assert.ok(rep, `${c.name}: the driver reported nothing`);
    assert.ok(rep.ok, `${c.name}: ${rep.error}`);
    const got = decodeSafetensors(readFileSync(join(folder, 'result.safetensors'))).tensors;
    const group = (prefix: string) =>
      new Map(
        Object.keys(got)
          .filter((k) => k.startsWith(prefix))
          .map((k) => [k.slice(prefix.length), got[k].data]),
      );

    const outs = group('out/');
    const wantKeys = [...ref.outputs.keys()].map(keyOf);
    if (ref.loss !== null) wantKeys.push('loss');
    assert.deepEqual([...outs.keys()].sort(), wantKeys.sort(), `${c.name}: the keys forward() returns`);
    for (const [id, t] of ref.outputs) assertClose(outs.get(keyOf(id))!, t.dataSync(), `${c.name} output ${id}`);
    if (ref.loss !== null) assertClose(outs.get('loss')!, [ref.loss], `${c.name} loss`);

    if (ref.loss !== null) {
      const grads = group('grad/');
      assert.deepEqual(
        [...grads.keys()].sort(),
        [...ref.grads.keys()].sort(),
        `${c.name}: gradients of every parameter and float Input (${floatInputs.join(', ')})`,
      );
      for (const [k, g] of ref.grads) assertClose(grads.get(k)!, g, `${c.name} gradient of ${k}`);
    }
    const state = group('state/');
    assert.deepEqual([...state.keys()].sort(), [...ref.state.keys()].sort(), `${c.name}: state_dict() keys are the model's parameter keys`);
    for (const [k, v] of ref.state) assertClose(state.get(k)!, v, `${c.name} state ${k} after a training pass`);

    const predicted = group('eval/');
    for (const [id, t] of ref.predicted) assertClose(predicted.get(keyOf(id))!, t.dataSync(), `${c.name} eval-mode output ${id}`);
  }
});

test('the cases use every op of the registry', () => {
  const used = new Set(runs.flatMap(({ c }) => c.model.nodes.map((n) => n.op)));
  assert.deepEqual(
    allOps()
      .map((o) => o.op)
      .filter((op) => !used.has(op)),
    [],
  );
});

test('tricky ids work end to end: keywords, nn.Module members, dunders, self, an output named loss', { skip }, () => {
  const run = runs.find((r) => r.c.name === 'tricky')!;
  const text = run.files[0].contents as string;
  for (const id of ['in', 'class', 'training', '__x', 'forward', 'to']) {
    if (run.c.model.nodes.find((n) => n.id === id)!.op !== 'Linear' && id !== '__x' && id !== 'forward') continue;
    assert.match(text, new RegExp(`self\\._modules\\['${id}'\\] = `), `${id} is registered by name`);
  }
  const got = decodeSafetensors(readFileSync(join(run.folder, 'result.safetensors'))).tensors;
  for (const k of ['out/output:loss', 'out/to', 'out/loss', 'state/training.weight', 'state/__x.running_mean', 'state/unused.weight', 'grad/self', 'grad/in']) {
    assert.ok(k in got, `${k} in the result`);
  }
});

test('feeds that do not fit are refused with one clear message naming the tensor', { skip }, () => {
  const got = reports.get('example_xor')!.refusals!;
  assert.deepEqual(got, {
    missing: 'TypeError: Model: Input "x" (float32 [N, 2]) is not given',
    unknown: 'TypeError: Model: no Input or Target is named z (the model takes: x, y)',
    shape: 'ValueError: Model: Input "x" must be float32 [N, 2], found shape [8]',
    dtype: 'TypeError: Model: Target "y" must hold integer indices (int32 [N], int32 or int64), found torch.float32',
    'float for int': 'TypeError: Model: Input "x" must be float32 [N, 2], found torch.int32',
    'not a tensor': 'TypeError: Model: Input "x" must be a tensor float32 [N, 2], found list',
  });
});

test('generated Python compiles (py_compile, in the driver) and the driver stays quick', { skip }, (t) => {
  const slow = [...reports.values()].filter((rep) => rep.seconds > 5).map((rep) => `${rep.name} ${rep.seconds} s`);
  assert.deepEqual(slow, [], 'a case took over 5 s in PyTorch');
  assert.ok(driverSeconds < 60, `the driver took ${driverSeconds} s`);
  t.diagnostic(`${reports.size} models through PyTorch in ${driverSeconds.toFixed(1)} s`);
});

after(() => rmSync(dir, { recursive: true, force: true }));
