// The PyTorch export's training half (docs/export.md, "PyTorch: training with torchrun"): train.py lowers the loss
// (measured by the engine, not by train.py), a two-process torchrun run on the CPU (Gloo) finishes, and the weights
// it writes load in the engine under the model's keys and predict what PyTorch predicts. The dataset written beside
// train.py is the engine's, split as the engine splits it; a CSV is read as the engine reads it.
//
// Python is /usr/bin/python3 (or $PYTHON) with torch; without them the torch tests skip, unless CI is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GraphModel,
  Tensor,
  Trainer,
  analyzeModel,
  buildDataset,
  decodeSafetensors,
  encodeSafetensors,
  noGrad,
  readTrainingSettings,
  splitDataset,
  tableToDataset,
  type ModelJson,
  type TensorRecords,
} from '../../engine';
import { exportModel, type ExportedFile } from '../../engine/codegen';
import { parseCsvText } from '../../common/csv';
import { residualMlp } from '../../extension/templates/residualMlp';
import { templates } from '../../extension/templates';

const RESIDUAL = residualMlp.model as unknown as ModelJson;

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const GENERATOR = 'Backprop Studio test (pytorchTrain.test.ts)';
const root = mkdtempSync(join(tmpdir(), 'bps-pytrain-'));

/** Why torch cannot run here, or null. In CI a missing torch is a failure, not a skip. */
function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  const why = `${PYTHON} cannot import torch (${(r.error?.message ?? r.stderr).trim().split('\n').pop()}); install python3-torch`;
  if (process.env.CI) assert.fail(why);
  return why;
}
const missing = torchMissing();

function exportTo(dir: string, model: ModelJson, extra: Record<string, unknown> = {}): ExportedFile[] {
  mkdirSync(dir, { recursive: true });
  const files = exportModel(model, {
    target: 'pytorch',
    weights: null,
    embedWeights: false,
    generator: GENERATOR,
    modelFileName: 'residual.nn.json',
    ...extra,
  }).files;
  for (const f of files) writeFileSync(join(dir, f.path), f.contents);
  return files;
}

function run(cmd: string, args: string[], cwd: string, timeout = 120_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

const tensors = (path: string) => decodeSafetensors(readFileSync(path)).tensors;

/** The engine's mean loss over a set, in eval mode, with the given weights. */
function engineLoss(model: ModelJson, weights: TensorRecords | null, x: TensorRecords[string], y: TensorRecords[string]): number {
  const g = GraphModel.create(model, weights ? { sidecar: weights } : {});
  const pass = noGrad(() =>
    g.forward({ x: Tensor.fromData(x.data, x.shape), y: Tensor.fromData(y.data, y.shape, 'int32') }, { training: false, computeLoss: true }),
  );
  return pass.loss!.dataSync()[0]!;
}

test('the export writes train.py, its data and README.md, the same bytes each time', () => {
  const a = exportModel(RESIDUAL, { target: 'pytorch', weights: null, embedWeights: false, generator: GENERATOR, modelFileName: 'residual.nn.json' }).files;
  const b = exportModel(RESIDUAL, { target: 'pytorch', weights: null, embedWeights: false, generator: GENERATOR, modelFileName: 'residual.nn.json' }).files;
  const paths = a.map((f) => f.path);
  for (const p of ['model.py', 'train.py', 'data.safetensors', 'README.md']) assert.ok(paths.includes(p), `${p} missing from ${paths.join(', ')}`);
  assert.deepEqual(
    b.map((f) => f.path),
    paths,
  );
  for (let i = 0; i < a.length; i++) assert.deepEqual(Buffer.from(b[i]!.contents), Buffer.from(a[i]!.contents), `${a[i]!.path} differs between two exports`);
  const dir = join(root, 'compile');
  exportTo(dir, RESIDUAL);
  const train = readFileSync(join(dir, 'train.py'), 'utf8');
  assert.match(train, /torch\.optim\.AdamW\(parameters, lr=0\.01, betas=\(0\.9, 0\.999\), eps=1e-8, weight_decay=0\.01\)/);
  assert.match(train, /^EPOCHS = 60$/m);
  assert.match(train, /^BATCH_SIZE = 32$/m);
  assert.match(train, /^WEIGHTS_FILE = 'residual\.safetensors'$/m);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  assert.match(readme, /--rdzv_backend=c10d --rdzv_endpoint=HOST:29400/);
  assert.match(readme, /--redirects 1 --tee 1/);
  assert.match(readme, /PyTorch 1\.13/);
});

test('the generated train.py of every example and template compiles (python3 -m py_compile)', { skip: missing ?? false }, () => {
  const dir = join(root, 'compile-all');
  const examples = join(__dirname, '..', '..', 'examples');
  const models: [string, ModelJson][] = [
    ...readdirSync(examples)
      .filter((f) => f.endsWith('.nn.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(examples, f), 'utf8'))] as [string, ModelJson]),
    ...templates.map((t) => [`${t.id}.nn.json`, t.model as unknown as ModelJson] as [string, ModelJson]),
  ];
  const paths: string[] = [];
  for (const [name, model] of models) {
    const files = exportModel(model, { target: 'pytorch', weights: null, embedWeights: false, generator: GENERATOR, modelFileName: name }).files;
    const train = files.find((f) => f.path === 'train.py');
    if (!train) continue;
    const sub = join(dir, name.replace(/\.nn\.json$/, ''));
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'train.py'), train.contents);
    paths.push(join(sub, 'train.py'));
  }
  assert.ok(paths.length >= 8, `only ${paths.length} train.py files`);
  run(PYTHON, ['-m', 'py_compile', ...paths], dir);
});

test("data.safetensors holds the engine's dataset, split as the engine splits it", () => {
  const files = exportModel(RESIDUAL, { target: 'pytorch', weights: null, embedWeights: false, generator: GENERATOR }).files;
  const data = decodeSafetensors(files.find((f) => f.path === 'data.safetensors')!.contents as Uint8Array).tensors;
  const g = GraphModel.create(RESIDUAL);
  const settings = readTrainingSettings(RESIDUAL.training);
  const { train, validation } = splitDataset(buildDataset(g, RESIDUAL.training!.dataset as never), settings.validationSplit, settings.seed);
  assert.deepEqual(data['train/x']!.shape, [480, 2]);
  assert.deepEqual(Array.from(data['train/x']!.data), Array.from(train.inputs));
  assert.deepEqual(Array.from(data['train/y']!.data), Array.from(train.targets));
  assert.deepEqual(Array.from(data['validation/x']!.data), Array.from(validation!.inputs));
  assert.equal(data['train/y']!.dtype, 'I32');
});

test('train.py lowers the loss, as the engine measures it on the training set', { skip: missing ?? false }, () => {
  const dir = join(root, 'single');
  exportTo(dir, RESIDUAL);
  const log = run(PYTHON, ['train.py', '--epochs', '4'], dir);
  assert.match(log, /epoch 4\/4 {2}loss [\d.]+ {2}acc [\d.]+% {2}val_loss/);
  const data = tensors(join(dir, 'data.safetensors'));
  const before = engineLoss(RESIDUAL, null, data['train/x']!, data['train/y']!);
  const after = engineLoss(RESIDUAL, tensors(join(dir, 'residual.safetensors')), data['train/x']!, data['train/y']!);
  assert.ok(after < before - 0.05, `the training loss went from ${before} to ${after}:\n${log}`);
});

test('torchrun on two CPU processes (Gloo) trains two epochs; the engine loads the weights and predicts as PyTorch does', { skip: missing ?? false }, () => {
  const dir = join(root, 'ddp');
  exportTo(dir, RESIDUAL);
  // torchrun is this module run by the same Python; Debian's torch 1.13 needs --redirects 1 --tee 1.
  const log = run(
    PYTHON,
    ['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--nproc_per_node=2', 'train.py', '--epochs', '2', '--out', 'ddp.safetensors'],
    dir,
  );
  assert.match(log, /2 processes on cpu/);
  assert.match(log, /epoch 2\/2/);
  const trained = tensors(join(dir, 'ddp.safetensors'));
  const keys = analyzeModel(RESIDUAL).order.flatMap((id) =>
    analyzeModel(RESIDUAL)
      .nodes.get(id)!
      .params.map((p) => p.key),
  );
  assert.deepEqual(Object.keys(trained).sort(), [...keys].sort());
  const initial = tensors(join(dir, 'initial.safetensors'));
  assert.ok(
    keys.some((k) => trained[k]!.data.some((v, i) => v !== initial[k]!.data[i])),
    'the weights changed',
  );

  const data = tensors(join(dir, 'data.safetensors'));
  const x = data['validation/x']!;
  const g = GraphModel.create(RESIDUAL, { sidecar: trained });
  const engine = noGrad(() => g.forward({ x: Tensor.fromData(x.data, x.shape) }, { training: false }))
    .outputs.get('head')!
    .dataSync();
  writeFileSync(
    join(dir, 'predict.py'),
    [
      'import torch',
      'from model import Model',
      'from safetensors_io import load_file, save_file',
      'model = Model()',
      'model.load_state_dict(load_file("ddp.safetensors"), strict=False)',
      'model.eval()',
      'with torch.no_grad():',
      '    out = model(x=load_file("data.safetensors")["validation/x"])',
      'save_file({"head": out["head"]}, "predicted.safetensors")',
    ].join('\n'),
  );
  run(PYTHON, ['predict.py'], dir);
  const torch = tensors(join(dir, 'predicted.safetensors')).head!;
  assert.deepEqual(torch.shape, [x.shape[0], 2]);
  for (let i = 0; i < engine.length; i++) {
    const a = torch.data[i]!,
      b = engine[i]!;
    assert.ok(Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b), `prediction ${i}: PyTorch ${a}, engine ${b}`);
  }
});

const CSV =
  [
    'sepal,petal,width,species',
    '5.1,1.4,0.2,setosa',
    '7.0,4.7,1.4,versicolor',
    '6.3,6.0,2.5,virginica',
    '4.9,1.4,0.2,setosa',
    '',
    '6.4,4.5,1.5,versicolor',
    '5.8,5.1,1.9,virginica',
    '5.0,1.5,0.2,setosa',
    '5.7,4.2,1.3,versicolor',
  ].join('\n') + '\n';

const csvModel = (dataset: Record<string, unknown>): ModelJson => ({
  format: 'nn-graph',
  version: 1,
  name: 'iris',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 3 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'fc' },
    { from: 'fc', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: {
    seed: 3,
    validationSplit: 0.25,
    l1: 0.001,
    optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9 },
    dataset: { source: 'csv', path: 'iris.csv', label: 'species', ...dataset },
  },
});

const featuresModel: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'featured',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
    { id: 'y', op: 'Target', attrs: { shape: [1] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'fc' },
    { from: 'fc', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 1, dataset: { source: 'regress-plane', size: 50, inputFeatures: ['x1^2', 'sin(x1)', 'x1*x2'] } },
};

test(
  'train.py reads a CSV as the engine does (stored or learned classes and normalisation) and computes input features as the engine does',
  { skip: missing ?? false },
  () => {
    const table = parseCsvText(CSV, 'iris.csv');
    const csvBytes = new TextEncoder().encode(CSV);
    const cases = [
      { name: 'learned', dataset: {} },
      { name: 'stored', dataset: { classes: ['virginica', 'setosa', 'versicolor'], normalization: { mean: [5, 3, 1], std: [1, 2, 0.5] } } },
    ];
    const expected: TensorRecords = {};
    for (const c of cases) {
      const model = csvModel(c.dataset);
      const dir = join(root, `csv-${c.name}`);
      const files = exportTo(dir, model, { dataset: { csv: { bytes: csvBytes, table } } });
      assert.deepEqual(readFileSync(join(dir, 'data.csv')), Buffer.from(csvBytes));
      const train = files.find((f) => f.path === 'train.py')!.contents as string;
      assert.match(train, /torch\.optim\.SGD\(parameters, lr=0\.1, momentum=0\.9, dampening=0\.0, weight_decay=0\.0, nesterov=False\)/);
      assert.match(train, /^L1 = 0\.001$/m);
      assert.match(train, /^L1_KEYS = \['fc\.weight'\]$/m);
      const d = tableToDataset(table, model.training!.dataset as never);
      expected[`${c.name}/x`] = { dtype: 'F32', shape: [d.n, 3], data: d.features };
      expected[`${c.name}/y`] = { dtype: 'F32', shape: [d.n], data: d.labels };
      // The split train.py uses is the engine's.
      const g = GraphModel.create(model);
      const all = buildDataset(g, model.training!.dataset as never, { table });
      const idx = { ...all, inputs: Float32Array.from({ length: all.n }, (_, i) => i), inputShape: [1] };
      const split = splitDataset(idx, 0.25, 3);
      const stored = decodeSafetensors(readFileSync(join(dir, 'data.safetensors'))).tensors;
      assert.deepEqual(Array.from(stored['split/train']!.data), Array.from(split.train.inputs));
      assert.deepEqual(Array.from(stored['split/validation']!.data), Array.from(split.validation!.inputs));
    }
    const fdir = join(root, 'features');
    exportTo(fdir, featuresModel);
    const g = GraphModel.create(featuresModel);
    const fs = splitDataset(buildDataset(g, featuresModel.training!.dataset as never), 0.2, 1);
    expected['features'] = { dtype: 'F32', shape: [fs.train.n, 3], data: fs.train.inputs };
    writeFileSync(join(root, 'expected.safetensors'), encodeSafetensors(expected));
    writeFileSync(
      join(root, 'check.py'),
      [
        'import importlib.util, sys, torch',
        'def load(name, d):',
        '    for m in ("model", "safetensors_io"):',
        '        sys.modules.pop(m, None)',
        '    spec = importlib.util.spec_from_file_location(name, f"{d}/train.py")',
        '    mod = importlib.util.module_from_spec(spec)',
        '    spec.loader.exec_module(mod)',
        '    return mod',
        'want = load("t0", "features").load_file("expected.safetensors")',
        'for case in ("learned", "stored"):',
        '    t = load(f"t_{case}", f"csv-{case}")',
        '    x, y = t.read_csv(f"csv-{case}/data.csv")',
        '    assert y.dtype == torch.int32, y.dtype',
        '    assert torch.equal(y.float(), want[f"{case}/y"]), (case, y, want[f"{case}/y"])',
        '    assert torch.allclose(x, want[f"{case}/x"], atol=1e-6), (case, x, want[f"{case}/x"])',
        'f = load("t_features", "features")',
        'xy = f.load_file("features/data.safetensors")["train/x"]',
        'assert xy.shape[1] == 2, xy.shape',
        'got = f.input_features(xy)',
        'assert torch.allclose(got, want["features"], atol=1e-6), (got, want["features"])',
        'print("ok")',
      ].join('\n'),
    );
    assert.match(run(PYTHON, ['check.py'], root), /ok/);
  },
);

test("backprop-studio export --target pytorch copies the model's CSV beside train.py, and refuses when it is missing", () => {
  const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
  const dir = join(root, 'cli');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'iris.nn.json'), JSON.stringify(csvModel({})));
  writeFileSync(join(dir, 'iris.csv'), CSV);
  const ok = spawnSync(process.execPath, [BIN, 'export', 'iris.nn.json', '--target', 'pytorch', '--out', 'out'], { cwd: dir, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(readFileSync(join(dir, 'out', 'data.csv'), 'utf8'), CSV);
  assert.match(readFileSync(join(dir, 'out', 'train.py'), 'utf8'), /^WEIGHTS_FILE = 'iris\.safetensors'$/m);
  writeFileSync(join(dir, 'lost.nn.json'), JSON.stringify(csvModel({ path: 'lost.csv' })));
  const bad = spawnSync(process.execPath, [BIN, 'export', 'lost.nn.json', '--target', 'pytorch', '--out', 'lost'], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stderr, /lost\.csv/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  // A dataset that does not fit the model is refused with the message training gives.
  const misfit = JSON.parse(JSON.stringify(RESIDUAL)) as ModelJson;
  misfit.nodes[0]!.attrs = { shape: [3] };
  writeFileSync(join(dir, 'misfit.nn.json'), JSON.stringify(misfit));
  const m = spawnSync(process.execPath, [BIN, 'export', 'misfit.nn.json', '--target', 'pytorch', '--out', 'misfit'], { cwd: dir, encoding: 'utf8' });
  assert.equal(m.status, 1, m.stderr);
  assert.match(m.stderr, /cannot export train\.py's dataset: the spiral dataset has 2 features per sample but Input "x" has shape \[3\]/);
  assert.equal(m.stderr.trim().split('\n').length, 1, m.stderr);
});

test("a layer that feeds neither the outputs nor the loss turns on DDP's unused-parameter detection; a model with nothing to train gets no train.py", () => {
  const model = csvModel({});
  model.nodes.push({ id: 'side', op: 'Linear', attrs: { outFeatures: 2 } });
  model.edges.push({ from: 'x', to: 'side' });
  const train = (m: ModelJson) =>
    exportModel(m, {
      target: 'pytorch',
      weights: null,
      embedWeights: false,
      generator: GENERATOR,
      dataset: { csv: { bytes: new TextEncoder().encode(CSV), table: parseCsvText(CSV, 'iris.csv') } },
    }).files;
  assert.match(train(model).find((f) => f.path === 'train.py')!.contents as string, /^UNUSED_PARAMETERS = True$/m);
  assert.match(train(csvModel({})).find((f) => f.path === 'train.py')!.contents as string, /^UNUSED_PARAMETERS = False$/m);
  const frozen: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'act', op: 'ReLU' },
    ],
    edges: [{ from: 'x', to: 'act' }],
  };
  const files = train(frozen);
  assert.equal(
    files.some((f) => f.path === 'train.py'),
    false,
  );
  assert.match(files.find((f) => f.path === 'README.md')!.contents as string, /no trainable parameters/);
});

test('train.py stops on a non-finite loss, as the editor does, and writes no weights', { skip: missing ?? false }, () => {
  const model: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'nan',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'lg', op: 'Log' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'lg' },
      { from: 'lg', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { epochs: 2, dataset: { source: 'xor', size: 64 } },
  };
  const dir = join(root, 'nan');
  exportTo(dir, model, { modelFileName: 'nan.nn.json' });
  const r = spawnSync(PYTHON, ['train.py'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /epoch 1: the training loss is not finite \(nan\); stopping without saving the weights/);
  assert.doesNotMatch(r.stderr, /Traceback/);
  assert.equal(readdirSync(dir).includes('nan.safetensors'), false);
});

test('the digits dataset is exported from the shipped file as the engine reads it', () => {
  const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
  const dir = join(root, 'digits');
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [BIN, 'export', join(__dirname, '..', '..', 'examples', 'mnist-cnn.nn.json'), '--target', 'pytorch', '--out', dir, '--force'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const data = tensors(join(dir, 'data.safetensors'));
  // examples/mnist-cnn.nn.json: all 5000 digits, a tenth held out, an Input "image" [1, 28, 28], a Target "label".
  assert.deepEqual(data['train/image']!.shape, [4500, 1, 28, 28]);
  assert.deepEqual(data['validation/label']!.shape, [500]);
  const model = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'mnist-cnn.nn.json'), 'utf8')) as ModelJson;
  const all = buildDataset(GraphModel.create(model), model.training!.dataset as never, {
    digits: readFileSync(join(__dirname, '..', '..', 'dist', 'digits.bin')),
  });
  const { train, validation } = splitDataset(all, 0.1, 0);
  assert.deepEqual(Array.from(data['train/label']!.data), Array.from(train.targets));
  assert.deepEqual(Array.from(data['validation/label']!.data), Array.from(validation!.targets));
  assert.ok(
    data['train/image']!.data.every((v, i) => v === train.inputs[i]),
    "the pixels are the engine's",
  );
});

test(
  "with the whole training set as one batch, train.py takes the engine's steps, alone and as two torchrun processes of half the batch: SGD with momentum and weight decay, and training.l1",
  { skip: missing ?? false },
  async () => {
    // One batch per epoch: the order samples are drawn in (DistributedSampler's, the engine's) no longer matters.
    const model = JSON.parse(JSON.stringify(RESIDUAL)) as ModelJson;
    model.training = { ...model.training, optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9, weightDecay: 0.001 }, l1: 0.001, batchSize: 480, epochs: 3 };
    const dir = join(root, 'steps');
    exportTo(dir, model);
    run(PYTHON, ['train.py'], dir);
    run(PYTHON, ['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--nproc_per_node=2', 'train.py', '--out', 'ddp.safetensors'], dir);

    const g = GraphModel.create(model);
    const settings = readTrainingSettings(model.training);
    const { train, validation } = splitDataset(buildDataset(g, model.training.dataset as never), settings.validationSplit, settings.seed);
    const trainer = new Trainer(g, train, validation, { batchSize: 480, epochs: 3, seed: settings.seed });
    while (!trainer.done) await trainer.trainStep();
    let moved = 0;
    for (const [file, key, t] of ['residual.safetensors', 'ddp.safetensors'].flatMap((f) => [...g.state].map(([k, v]) => [f, k, v] as const))) {
      const want = t.dataSync();
      const got = tensors(join(dir, file))[key]!.data;
      const start = tensors(join(dir, 'initial.safetensors'))[key]!.data;
      for (let i = 0; i < want.length; i++) {
        assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 + 1e-4 * Math.abs(want[i]!), `${file} ${key}[${i}]: PyTorch ${got[i]}, engine ${want[i]}`);
        moved = Math.max(moved, Math.abs(want[i]! - start[i]!));
      }
    }
    assert.ok(moved > 1e-3, `the weights hardly moved (${moved})`);
  },
);
