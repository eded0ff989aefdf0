// Export of a model with input features (training.dataset.inputFeatures): both targets take raw points
// x1, x2 for the featured Input, compute the features in readable code, compile under strict tsc, and give
// what the engine gives on the features computed here from their formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { GraphModel, Tensor, noGrad, type ModelJson } from '../../engine';
import { exportModel, type ExportedFile } from '../../engine/codegen';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bps-export-features-'));

function model(features: string[], name: string): ModelJson {
  return {
    format: 'nn-graph',
    version: 1,
    name,
    nodes: [
      { id: 'pts', op: 'Input', attrs: { shape: [features.length] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'act', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'pts', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 4, optimizer: { type: 'SGD', lr: 0.1 }, dataset: { source: 'spiral', inputFeatures: features } },
  };
}

/** The features by their definitions (not the engine's code). */
const FORMULA: Record<string, (x1: number, x2: number) => number> = {
  x1: (a) => a,
  x2: (_a, b) => b,
  'x1^2': (a) => a * a,
  'x2^2': (_a, b) => b * b,
  'x1*x2': (a, b) => a * b,
  'sin(x1)': (a) => Math.sin(a),
  'sin(x2)': (_a, b) => Math.sin(b),
};

const RAW = Float32Array.from([1.5, -2, 0.25, 3, -4.5, 0.1]);
const N = 3;
const LABELS = [0, 1, 1];

function engineOn(m: ModelJson, features: string[]) {
  const feats = new Float32Array(N * features.length);
  for (let i = 0; i < N; i++) features.forEach((f, j) => (feats[i * features.length + j] = FORMULA[f](RAW[2 * i], RAW[2 * i + 1])));
  const g = GraphModel.create(m);
  const x = Tensor.fromData(feats, [N, features.length]);
  const out = noGrad(() => g.forward({ pts: x }, { training: false, computeLoss: false }))
    .outputs.get('fc2')!
    .dataSync();
  const loss = noGrad(() => g.forward({ pts: x, y: Tensor.fromData(LABELS, [N], 'int32') }, { training: true })).loss!.itemSync();
  return { out, loss };
}

const CASES: [string, string[]][] = [
  ['four', ['x2', 'x1^2', 'x1*x2', 'sin(x1)']],
  ['one', ['sin(x2)']],
];

test('both targets take raw points and compute the input features as the engine does', async () => {
  const runtime = { module: readFileSync(join(ROOT, 'dist', 'engine.mjs'), 'utf8'), declarations: readFileSync(join(ROOT, 'dist', 'engine.d.mts'), 'utf8') };
  const written: string[] = [];
  const write = (files: ExportedFile[]) => {
    for (const f of files) {
      const p = join(dir, f.path);
      if (!existsSync(p)) writeFileSync(p, f.contents);
      if (f.role === 'module') written.push(p);
    }
  };
  const texts = new Map<string, string>();
  for (const [name, features] of CASES) {
    for (const target of ['engine', 'standalone'] as const) {
      const files = exportModel(model(features, name), {
        target,
        weights: null,
        embedWeights: true,
        generator: 'test',
        fileName: `${name}.${target}.ts`,
        runtime,
      }).files;
      write(files);
      texts.set(`${name}.${target}`, files[0].contents as string);
    }
  }
  // Readable: one line per feature, from its formula; the header says what to feed.
  const four = texts.get('four.standalone')!;
  assert.match(four, /^ {4}out\[4 \* i \+ 1\] = x1 \* x1; \/\/ x1\^2$/m);
  assert.match(four, /^ {4}out\[4 \* i \+ 3\] = Math\.sin\(x1\); \/\/ sin\(x1\)$/m);
  assert.match(
    four,
    /^\/\/ {3}pts {2}Float32Array \[N, 2\], N \* 2 values \(raw points x1, x2; predict computes the input features x2, x1\^2, x1\*x2, sin\(x1\)\)$/m,
  );
  assert.match(four, /pts: \{ dtype: 'float32', shape: \['N', 2\] \}/);
  assert.match(
    texts.get('four.engine')!,
    /^ {2}const pts = inputFeatures\(checked\(inputs\.pts, 'pts', 'float32', \[2\]\)\); \/\/ float32 \[N, 4\]: x2, x1\^2, x1\*x2, sin\(x1\), from the raw \[N, 2\]$/m,
  );
  assert.doesNotMatch(texts.get('one.engine')!, /const x1 =/, 'only the coordinates used are read');

  const program = ts.createProgram(written, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.equal(
    diagnostics.length,
    0,
    ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' }),
  );

  const load = async (file: string) => {
    const js = ts.transpileModule(readFileSync(join(dir, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const out = join(dir, file.replace(/\.ts$/, '.mjs'));
    writeFileSync(out, js);
    return import(pathToFileURL(out).href);
  };
  const rt = await import(pathToFileURL(join(dir, 'backprop-engine.mjs')).href);
  for (const [name, features] of CASES) {
    const want = engineOn(model(features, name), features);
    const sm = await load(`${name}.standalone.ts`);
    const got = sm.predict({ pts: RAW }, N).fc2 as Float32Array;
    for (let i = 0; i < want.out.length; i++)
      assert.ok(Math.abs(got[i] - want.out[i]) <= 1e-5 + 1e-4 * Math.abs(want.out[i]), `${name} standalone fc2[${i}]: ${got[i]} vs ${want.out[i]}`);
    const em = await load(`${name}.engine.ts`);
    const m = em.createModel();
    const x = rt.Tensor.fromData(RAW, [N, 2]);
    const out = em.forward(m, { pts: x }).fc2.dataSync();
    for (let i = 0; i < want.out.length; i++)
      assert.ok(Math.abs(out[i] - want.out[i]) <= 1e-5 + 1e-4 * Math.abs(want.out[i]), `${name} engine fc2[${i}]: ${out[i]} vs ${want.out[i]}`);
    // train() takes raw batches too; its first loss is the engine's on the features.
    const losses = em.train(m, { pts: x, y: rt.Tensor.fromData(LABELS, [N], 'int32') }, 2) as number[];
    assert.ok(Math.abs(losses[0] - want.loss) <= 1e-6, `${name} train loss ${losses[0]} vs ${want.loss}`);
    // A feed of the features themselves is refused.
    assert.throws(
      () => em.forward(m, { pts: rt.Tensor.fromData(new Float32Array(N * features.length), [N, features.length]) }),
      /feed "pts" must be float32 \[N, 2\]/,
    );
  }
});
