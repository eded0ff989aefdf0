// Export to TypeScript (docs/export.md): both targets for every example model and for random valid
// graphs, compiled together in one strict tsc program, then run and compared with the engine.
import { TARGET_OUTPUT_MODEL, invalidXor } from './onnxModels';
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import {
  GraphModel,
  GraphValidationError,
  Tensor,
  allOps,
  analyzeModel,
  createOptimizer,
  decodeSafetensors,
  noGrad,
  type ModelJson,
  type TensorData,
  type TensorRecords,
} from '../../engine';
import { ExportError, exportModel, type EngineRuntime, type ExportOptions, type ExportedFile } from '../../engine/codegen';
import { randomFeeds, randomModel, type Feeds } from '../engine/randomGraph';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'backprop-studio.js');
const GENERATOR = 'Backprop Studio test (export.test.ts)';
const dir = mkdtempSync(join(tmpdir(), 'bps-export-'));

interface Case {
  name: string;
  model: ModelJson;
  feeds: Feeds;
  batch: number;
  /** Sidecar weights the export (and the engine reference) start from. */
  sidecar: TensorRecords | null;
  embedEngine: boolean;
  embedStandalone: boolean;
}

interface Exported {
  c: Case;
  engine: ExportedFile[];
  standalone: ExportedFile[] | null;
}

let runtime: EngineRuntime;
const cases: Case[] = [];
const exported: Exported[] = [];

const options = (c: Case, target: 'engine' | 'standalone'): ExportOptions => ({
  target,
  weights: c.sidecar,
  embedWeights: target === 'engine' ? c.embedEngine : c.embedStandalone,
  generator: GENERATOR,
  fileName: `${c.name}.${target}.ts`,
  runtime,
});

/** Does an output of the model depend on a Target? (The standalone target refuses those.) */
function outputsNeedTargets(model: ModelJson): boolean {
  const a = analyzeModel(model);
  const stack = [...a.outputs];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = a.nodes.get(id)!;
    if (n.spec!.op === 'Target') return true;
    for (const s of n.inputs) if (s) stack.push(s);
  }
  return false;
}

function writeFiles(files: readonly ExportedFile[]): void {
  for (const f of files) {
    const p = join(dir, f.path);
    if (existsSync(p)) assert.deepEqual(readFileSync(p), Buffer.from(f.contents as string | Uint8Array), `${f.path} written twice with different contents`);
    else writeFileSync(p, f.contents);
  }
}

const COVERAGE_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'coverage */ "quoted"\nsecond line',
  nodes: [
    { id: 'inputs', op: 'Input', attrs: { shape: [3], dtype: 'int32' } },
    { id: 'x', op: 'Input', attrs: { shape: [4] } },
    { id: 'w', op: 'Embedding', attrs: { numEmbeddings: 5, embeddingDim: 4 } },
    { id: 'class', op: 'LeakyReLU', attrs: { negativeSlope: 0.2 } },
    { id: 'batch', op: 'Mean', attrs: { dim: 1 } },
    { id: 'p', op: 'BatchNorm1d', attrs: { momentum: 0.3 } },
    { id: 'relu', op: 'GELU', attrs: { approximate: 'tanh' } },
    { id: 's0', op: 'Sum', attrs: { dim: [0], keepDim: true } },
    { id: 'centered', op: 'Sub' },
    { id: 'bp', op: 'Concat', attrs: { dim: -1 } },
    { id: 'total', op: 'Linear', attrs: { outFeatures: 3 } },
    { id: 'Math', op: 'LogSoftmax' },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'inputs', to: 'w' },
    { from: 'w', to: 'class' },
    { from: 'class', to: 'batch' },
    { from: 'x', to: 'p' },
    { from: 'p', to: 'relu' },
    { from: 'relu', to: 's0' },
    { from: 'relu', to: 'centered', port: 0 },
    { from: 's0', to: 'centered', port: 1 },
    { from: 'batch', to: 'bp', port: 0 },
    { from: 'centered', to: 'bp', port: 1 },
    { from: 'bp', to: 'total' },
    { from: 'total', to: 'Math' },
    { from: 'total', to: 'loss', port: 0 },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 5, optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9 } },
};

before(() => {
  for (const f of ['engine.mjs', 'engine.d.mts']) {
    assert.ok(existsSync(join(ROOT, 'dist', f)), `dist/${f} is missing: run node esbuild.mjs (npm test does) first`);
  }
  runtime = { module: readFileSync(join(ROOT, 'dist', 'engine.mjs'), 'utf8'), declarations: readFileSync(join(ROOT, 'dist', 'engine.d.mts'), 'utf8') };

  // The examples; xor also with trained weights in a sidecar (drawn from another seed).
  for (const file of readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.nn.json'))
    .sort()) {
    const model = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as ModelJson;
    const name = file.replace('.nn.json', '').replace(/[^A-Za-z0-9]/g, '_');
    const batch = name.includes('cnn') ? 2 : 4;
    const weights = model.weights ? join(ROOT, 'examples', model.weights) : null;
    const sidecar = weights && existsSync(weights) ? decodeSafetensors(readFileSync(weights)).tensors : null;
    cases.push({ name, model, feeds: randomFeeds(model, batch, 1), batch, sidecar, embedEngine: false, embedStandalone: true });
    if (name === 'xor') {
      const other = GraphModel.create({ ...model, training: { seed: 7 } });
      const sidecar: TensorRecords = {};
      for (const [k, t] of other.state) sidecar[k] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
      cases.push({ name: 'xor_trained', model, feeds: randomFeeds(model, 4, 2), batch: 4, sidecar, embedEngine: true, embedStandalone: false });
    }
  }
  // Every op the random graphs may miss, node ids that collide with the generated code's own names,
  // a batch-reducing Sum broadcast back, and a node neither the outputs nor the loss use.
  const coverage = COVERAGE_MODEL;
  cases.push({ name: 'coverage', model: coverage, feeds: randomFeeds(coverage, 4, 3), batch: 4, sidecar: null, embedEngine: false, embedStandalone: false });
  // No loss node and two outputs: no training loss, so no loss() or train().
  const twoSinks: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'two sinks',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'h', op: 'Linear', attrs: { outFeatures: 2, bias: false } },
      { id: 'a', op: 'Tanh' },
      { id: 'b', op: 'Sigmoid' },
      { id: 'unused', op: 'Input', attrs: { shape: [1] } },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'h', to: 'a' },
      { from: 'x', to: 'b' },
    ],
  };
  cases.push({ name: 'two_sinks', model: twoSinks, feeds: randomFeeds(twoSinks, 2, 4), batch: 2, sidecar: null, embedEngine: true, embedStandalone: true });
  for (let seed = 1; seed <= 16; seed++) {
    const r = randomModel(seed);
    cases.push({
      name: `random${seed}`,
      model: r.model,
      feeds: r.feeds,
      batch: r.batch,
      sidecar: null,
      embedEngine: seed % 2 === 0,
      embedStandalone: seed % 3 !== 0,
    });
  }

  for (const c of cases) {
    const engine = exportModel(c.model, options(c, 'engine')).files;
    const standalone = outputsNeedTargets(c.model) ? null : exportModel(c.model, options(c, 'standalone')).files;
    exported.push({ c, engine, standalone });
    writeFiles(engine);
    if (standalone) writeFiles(standalone);
  }
  // The engine imported from an installed package instead of the runtime beside the module.
  const pkg = join(dir, 'node_modules', 'bps-engine');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'bps-engine', type: 'module', exports: { '.': { types: './index.d.mts', default: './index.mjs' } } }),
  );
  writeFileSync(join(pkg, 'index.mjs'), runtime.module);
  writeFileSync(join(pkg, 'index.d.mts'), runtime.declarations);
  const xor = cases.find((c) => c.name === 'xor')!;
  const viaPackage = exportModel(xor.model, { ...options(xor, 'engine'), engineImport: 'bps-engine', fileName: 'xor_pkg.engine.ts', runtime: undefined }).files;
  assert.ok(!viaPackage.some((f) => f.role === 'runtime' || f.role === 'declarations'), 'no runtime written with engineImport');
  writeFiles(viaPackage);
});

const modules = () =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();

test('every generated module compiles under tsc --strict with no errors or warnings (one program)', () => {
  const files = modules().map((f) => join(dir, f));
  assert.ok(files.length >= 2 * cases.length - 2, `expected a module per case and target, found ${files.length}`);
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: false,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    noImplicitOverride: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' });
  assert.equal(diagnostics.length, 0, text);
});

test("the examples' modules also compile with tsc's defaults and --strict (no tsconfig: target ES5, CommonJS)", () => {
  const files = modules()
    .filter((f) => /^(xor|coverage)\./.test(f))
    .map((f) => join(dir, f));
  assert.ok(files.length >= 4);
  // The default library is ES5 with the DOM; leaving the DOM out checks the same code faster, and no
  // more leniently (the modules use no DOM API, and the DOM's globals cannot clash inside a module).
  const program = ts.createProgram(files, { strict: true, noEmit: true, lib: ['lib.es5.d.ts'], types: [] });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' });
  assert.equal(diagnostics.length, 0, text);
});

test('generated code is formatted, headed and deterministic', () => {
  for (const { c, engine, standalone } of exported) {
    for (const [target, files] of [
      ['engine', engine],
      ['standalone', standalone],
    ] as const) {
      if (!files) continue;
      const again = exportModel(c.model, options(c, target)).files;
      assert.deepEqual(again, files, `${c.name} ${target}: a second export differs`);
      const text = files[0].contents as string;
      assert.equal(typeof text, 'string');
      assert.ok(text.startsWith(`// Generated by ${GENERATOR}.`), `${c.name} ${target}: header`);
      assert.ok(
        text.includes(`// Model: ${JSON.stringify(c.model.name)} (nn-graph format version 1)`),
        `${c.name} ${target}: model name and version in the header`,
      );
      assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), `${c.name} ${target}: one final newline`);
      text.split('\n').forEach((line, i) => {
        const where = `${c.name} ${target} line ${i + 1}: ${JSON.stringify(line)}`;
        assert.ok(!/[ \t]$/.test(line), `trailing whitespace, ${where}`);
        assert.ok(!line.includes('\t'), `tab, ${where}`);
        const pad = /^ */.exec(line)![0].length;
        assert.ok(pad % 2 === 0 || line.trimStart().startsWith('*'), `odd indentation, ${where}`);
      });
      assert.ok(!/\n\n\n/.test(text), `${c.name} ${target}: no double blank lines`);
    }
  }
});

test('the standalone target carries only the kernels its model uses', () => {
  const get = (name: string) => exported.find((e) => e.c.name === name)!.standalone![0].contents as string;
  const xor = get('xor');
  assert.match(xor, /^function linear\(/m);
  assert.match(xor, /^function relu\(/m);
  for (const k of ['conv2d', 'maxPool2d', 'layerNorm', 'softmax', 'erf']) assert.doesNotMatch(xor, new RegExp(`^function ${k}\\(`, 'm'));
  const cnn = get('mnist_cnn');
  for (const k of ['conv2d', 'maxPool2d', 'relu', 'linear']) assert.match(cnn, new RegExp(`^function ${k}\\(`, 'm'));
  assert.doesNotMatch(cnn, /^function avgPool2d\(/m);
  // One readable line per layer, named after the node.
  const eng = exported.find((e) => e.c.name === 'xor')!.engine[0].contents as string;
  assert.match(eng, /^ {2}const fc1 = bp\.linear\(x, p\.fc1_weight, p\.fc1_bias\); \/\/ float32 \[N, 8\]$/m);
  assert.match(xor, /^ {2}const fc1 = linear\(x, batch, 2, w\['fc1\.weight'\], w\['fc1\.bias'\], 8\);/m);
});

// ---- running the generated code

const close = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) assert.ok(close(got[i], want[i]), `${what}[${i}]: ${got[i]} vs the engine's ${want[i]}`);
}

const loaded = new Map<string, Promise<Record<string, unknown>>>();
/** Transpile a generated module (and import it): what a bundler or tsc would emit. */
function load(file: string): Promise<Record<string, unknown>> {
  if (!loaded.has(file)) {
    const src = readFileSync(join(dir, file), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const out = join(dir, file.replace(/\.ts$/, '.mjs'));
    writeFileSync(out, js);
    loaded.set(file, import(pathToFileURL(out).href) as Promise<Record<string, unknown>>);
  }
  return loaded.get(file)!;
}

/** The runtime written beside the engine-target modules: the same module instance they import. */
const loadRuntime = () => import(pathToFileURL(join(dir, 'backprop-engine.mjs')).href) as Promise<Runtime>;

interface EngineModule {
  createModel(weights?: Uint8Array): unknown;
  forward(
    model: unknown,
    feed: Record<string, unknown>,
    opts?: { training?: boolean },
  ): Record<string, { dataSync(): ArrayLike<number>; shape: readonly number[] }>;
  train?(model: unknown, data: Record<string, unknown>, steps: number): number[];
}
interface StandaloneModule {
  predict(inputs: Record<string, Float32Array | Int32Array>, batch: number): Record<string, Float32Array>;
  loadWeights(bytes: Uint8Array): void;
}
interface Runtime {
  Tensor: { fromData(data: ArrayLike<number>, shape: number[], dtype?: string): unknown };
}

/** The engine's own inference on the case's feeds: output id → values. */
function reference(c: Case): Map<string, TensorData> {
  const m = GraphModel.create(c.model, { sidecar: c.sidecar ?? undefined });
  const feeds: Record<string, Tensor> = {};
  for (const [id, f] of Object.entries(c.feeds)) feeds[id] = Tensor.fromData(f.data, f.shape, f.dtype);
  const pass = noGrad(() => m.forward(feeds, { training: false, computeLoss: false }));
  return new Map([...pass.outputs].map(([id, t]) => [id, t.dataSync()]));
}

function weightsFile(files: readonly ExportedFile[]): Uint8Array | undefined {
  return files.find((f) => f.role === 'weights')?.contents as Uint8Array | undefined;
}

test('both targets compute what the engine computes (examples and random graphs)', async () => {
  const rt = await loadRuntime();
  for (const { c, engine, standalone } of exported) {
    const want = reference(c);
    assert.ok(want.size > 0, `${c.name}: the engine computed no outputs`);
    // engine target
    const em = (await load(`${c.name}.engine.ts`)) as unknown as EngineModule;
    const model = em.createModel(weightsFile(engine));
    const feed: Record<string, unknown> = {};
    for (const [id, f] of Object.entries(c.feeds)) feed[id] = rt.Tensor.fromData(f.data, f.shape, f.dtype);
    const outs = em.forward(model, feed);
    assert.deepEqual(Object.keys(outs).sort(), [...want.keys()].sort(), `${c.name} engine: output ids`);
    for (const [id, values] of want) assertClose(outs[id].dataSync(), values, `${c.name} engine ${id}`);
    // standalone target
    if (!standalone) continue;
    const sm = (await load(`${c.name}.standalone.ts`)) as unknown as StandaloneModule;
    const w = weightsFile(standalone);
    if (w) {
      assert.throws(() => sm.predict({}, c.batch), /no weights loaded; call loadWeights/);
      sm.loadWeights(w);
    }
    const inputs: Record<string, Float32Array | Int32Array> = {};
    for (const [id, f] of Object.entries(c.feeds)) {
      if (c.model.nodes.find((n) => n.id === id)!.op === 'Input') inputs[id] = f.dtype === 'int32' ? Int32Array.from(f.data) : Float32Array.from(f.data);
    }
    const got = sm.predict(inputs, c.batch);
    assert.deepEqual(Object.keys(got).sort(), [...want.keys()].sort(), `${c.name} standalone: output ids`);
    for (const [id, values] of want) {
      assert.ok(got[id] instanceof Float32Array, `${c.name} standalone ${id}: a Float32Array`);
      assertClose(got[id], values, `${c.name} standalone ${id}`);
    }
  }
  // The module importing the engine from an installed package.
  const pm = (await load('xor_pkg.engine.ts')) as unknown as EngineModule;
  const xor = exported.find((e) => e.c.name === 'xor')!.c;
  const feed: Record<string, unknown> = {};
  for (const [id, f] of Object.entries(xor.feeds)) feed[id] = rt.Tensor.fromData(f.data, f.shape, f.dtype);
  const pkgWeights = existsSync(join(dir, 'xor_pkg.engine.weights.safetensors')) ? readFileSync(join(dir, 'xor_pkg.engine.weights.safetensors')) : undefined;
  assertClose(pm.forward(pm.createModel(pkgWeights), feed).fc2.dataSync(), reference(xor).get('fc2')!, 'xor via an installed engine package');
});

test("the engine target's train() follows the engine's training and lowers the loss", async () => {
  const rt = await loadRuntime();
  for (const { c, engine } of exported) {
    const m = GraphModel.create(c.model, { sidecar: c.sidecar ?? undefined });
    if (m.lossProblem()) continue;
    // The engine's loop (as `backprop-studio train`): 3 steps on the same batch.
    const feeds: Record<string, Tensor> = {};
    for (const [id, f] of Object.entries(c.feeds)) feeds[id] = Tensor.fromData(f.data, f.shape, f.dtype);
    const opt = createOptimizer(m.json.training?.optimizer, m.parameters());
    const want: number[] = [];
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const loss = m.forward(feeds, { training: true, step }).loss!;
      want.push(loss.itemSync());
      if (!loss.requiresGrad) continue;
      loss.backward();
      noGrad(() => opt.step());
    }
    const em = (await load(`${c.name}.engine.ts`)) as unknown as EngineModule;
    const batch: Record<string, unknown> = {};
    for (const [id, f] of Object.entries(c.feeds)) batch[id] = rt.Tensor.fromData(f.data, f.shape, f.dtype);
    const got = em.train!(em.createModel(weightsFile(engine)), batch, 3);
    assertClose(got, want, `${c.name} train() losses`);
  }
  // XOR learns: the loss falls.
  const xor = JSON.parse(readFileSync(join(ROOT, 'examples', 'xor.feed.json'), 'utf8')) as Record<string, { shape: number[]; data: number[] }>;
  const em = (await load('xor.engine.ts')) as unknown as EngineModule;
  const losses = em.train!(em.createModel(), { x: rt.Tensor.fromData(xor.x.data, xor.x.shape), y: rt.Tensor.fromData(xor.y.data, xor.y.shape, 'int32') }, 200);
  assert.ok(losses[199] < 0.5 * losses[0], `xor loss ${losses[0]} → ${losses[199]}`);
});

// ---- refusals

test('an invalid graph is refused with the messages the analyzer gives', () => {
  const { model: bad, errors } = invalidXor(ROOT);
  assert.ok(errors.length >= 2);
  for (const target of ['engine', 'standalone'] as const) {
    assert.throws(
      () => exportModel(bad, { target, weights: null, embedWeights: false, generator: GENERATOR, runtime }),
      (e: unknown) =>
        e instanceof GraphValidationError && JSON.stringify(e.errors) === JSON.stringify(errors) && e.message === errors.map((x) => x.message).join('\n'),
    );
  }
  // A sidecar tensor of the wrong shape is refused as GraphModel refuses it.
  const xor = JSON.parse(readFileSync(join(ROOT, 'examples', 'xor.nn.json'), 'utf8')) as ModelJson;
  const sidecar: TensorRecords = { 'fc1.weight': { dtype: 'F32', shape: [2, 8], data: new Float32Array(16) } };
  assert.throws(() => GraphModel.create(xor, { sidecar }), /has shape \[2, 8\] but the model needs \[8, 2\]/);
  assert.throws(
    () => exportModel(xor, { target: 'standalone', weights: sidecar, embedWeights: true, generator: GENERATOR }),
    /has shape \[2, 8\] but the model needs \[8, 2\]/,
  );
});

const targetModel = TARGET_OUTPUT_MODEL;

test('the standalone target refuses an output that depends on a Target; the engine target takes it', async () => {
  assert.throws(
    () => exportModel(targetModel, { target: 'standalone', weights: null, embedWeights: true, generator: GENERATOR }),
    (e: unknown) => e instanceof ExportError && /output "d" depends on Target "t"/.test(e.message),
  );
  const files = exportModel(targetModel, {
    target: 'engine',
    weights: null,
    embedWeights: true,
    generator: GENERATOR,
    runtime,
    fileName: 'needs_target.ts',
  }).files;
  assert.match(files[0].contents as string, /export function forward\(model: Model, feed: Inputs & Targets/);
});

// ---- the command line

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI export: writes the files, never overwrites without --force, clear exit codes', () => {
  const out = join(dir, 'cli');
  mkdirSync(out);
  const model = join(ROOT, 'examples', 'xor.nn.json');
  const a = cli('export', model, '--target', 'standalone', '--out', join(out, 'xor.ts'));
  assert.equal(a.code, 0, a.stderr);
  assert.match(readFileSync(join(out, 'xor.ts'), 'utf8'), /^\/\/ Generated by Backprop Studio .* \(backprop-studio export\)\./);
  assert.match(a.stdout, /wrote .*xor\.ts/);

  // The same file again, different contents: refused, nothing written.
  const before = readFileSync(join(out, 'xor.ts'), 'utf8');
  const b = cli('export', model, '--target', 'engine', '--out', join(out, 'xor.ts'));
  assert.equal(b.code, 1);
  assert.equal(b.stderr.trim().split('\n').length, 1);
  assert.match(b.stderr, /xor\.ts already exists; pass --force to overwrite it/);
  assert.equal(readFileSync(join(out, 'xor.ts'), 'utf8'), before);
  assert.ok(!existsSync(join(out, 'backprop-engine.mjs')), 'a refused export writes nothing');

  const c = cli('export', model, '--target', 'engine', '--out', join(out, 'xor.ts'), '--force', '--no-embed-weights');
  assert.equal(c.code, 0, c.stderr);
  for (const f of ['xor.ts', 'backprop-engine.mjs', 'backprop-engine.d.mts']) assert.ok(existsSync(join(out, f)), f);
  assert.match(readFileSync(join(out, 'xor.ts'), 'utf8'), /^import \* as bp from '\.\/backprop-engine\.mjs';$/m);
  assert.doesNotMatch(readFileSync(join(out, 'backprop-engine.mjs'), 'utf8'), /sourceMappingURL/);
  // Identical files need no --force: a second model exported beside the same runtime.
  const d = cli('export', join(ROOT, 'examples', 'residual-mlp.nn.json'), '--target', 'engine', '--out', join(out, 'residual.ts'));
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /unchanged .*backprop-engine\.mjs/);

  // Not embedded: the weights go beside the module.
  const e = cli('export', model, '--target', 'standalone', '--out', join(out, 'xs.ts'), '--no-embed-weights');
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(Object.keys(decodeSafetensors(readFileSync(join(out, 'xs.weights.safetensors'))).tensors).sort(), [
    'fc1.bias',
    'fc1.weight',
    'fc2.bias',
    'fc2.weight',
  ]);
  // --engine-import: no runtime written.
  const f = cli('export', model, '--target', 'engine', '--out', join(out, 'pkg.ts'), '--engine-import', 'backprop-studio/engine');
  assert.equal(f.code, 0, f.stderr);
  assert.match(readFileSync(join(out, 'pkg.ts'), 'utf8'), /^import \* as bp from 'backprop-studio\/engine';$/m);
});

test('CLI export: bad models and bad usage', () => {
  const out = join(dir, 'cli-bad');
  mkdirSync(out);
  const bad = join(out, 'bad.nn.json');
  const json = JSON.parse(readFileSync(join(ROOT, 'examples', 'xor.nn.json'), 'utf8')) as ModelJson;
  json.nodes[1].op = 'Frobnicate';
  writeFileSync(bad, JSON.stringify(json));
  const r = cli('export', bad, '--target', 'engine', '--out', join(out, 'bad.ts'));
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(r.stderr.includes(analyzeModel(json).errors[0].message), r.stderr);
  assert.ok(!existsSync(join(out, 'bad.ts')));

  const needs = join(out, 'needs.nn.json');
  writeFileSync(needs, JSON.stringify(targetModel));
  const s = cli('export', needs, '--target', 'standalone', '--out', join(out, 'needs.ts'));
  assert.equal(s.code, 1);
  assert.match(s.stderr, /cannot export for the standalone target: output "d" depends on Target "t"/);

  const model = join(ROOT, 'examples', 'xor.nn.json');
  for (const args of [
    ['--target', 'python', '--out', join(out, 'a.ts')],
    ['--out', join(out, 'a.ts')],
    ['--target', 'engine'],
    ['--target', 'engine', '--out', join(out, 'a.js')],
    ['--target', 'engine', '--out', join(out, 'a.ts'), '--embed-weights', '--no-embed-weights'],
    ['--target', 'standalone', '--out', join(out, 'a.ts'), '--engine-import', 'x'],
    ['--target', 'engine', '--out', join(out, 'a.ts'), '--feed', 'f.json'],
  ]) {
    const u = cli('export', model, ...args);
    assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
    assert.equal(u.stderr.trim().split('\n').length, 1);
  }
  assert.equal(cli('export', model, '--target', 'engine', '--out', join(out, 'missing-dir', 'a.ts')).code, 1);
  const g = cli('predict', model, '--feed', 'x.json', '--target', 'engine');
  assert.equal(g.code, 2);
  assert.match(g.stderr, /--target applies to export/);
});

test('every op of the registry can be exported', () => {
  const covered = new Set<string>();
  for (const { c } of exported) for (const n of c.model.nodes) covered.add(n.op);
  const missing = allOps()
    .map((o) => o.op)
    .filter((op) => !covered.has(op));
  assert.deepEqual(missing, [], `ops no exported model uses: ${missing.join(', ')}`);
});
