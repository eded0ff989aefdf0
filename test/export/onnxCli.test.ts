// `backprop-studio export --target onnx` (docs/cli.md): the bundled command line writes a file onnxruntime
// runs with the engine's outputs, starting from the model's sidecar weights; it refuses what the other
// targets refuse, never overwrites without --force, and leaves a file whose bytes would not change alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphModel, Tensor, analyzeModel, encodeSafetensors, noGrad, type ModelJson, type TensorRecords } from '../../engine';
import { exportOnnx } from '../../common/onnx/export';
import { TARGET_OUTPUT_MODEL } from './onnxModels';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'backprop-studio.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-onnx-cli-'));

function cli(...args: string[]) {
  assert.ok(existsSync(join(ROOT, 'dist', 'cli.js')), 'dist/cli.js is missing: run node esbuild.mjs (npm test does) first');
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const xor = () => JSON.parse(readFileSync(join(ROOT, 'examples', 'xor.nn.json'), 'utf8')) as ModelJson;

test('CLI export --target onnx: the model with its sidecar weights runs in onnxruntime as in the engine', async () => {
  // Weights other than the seeded ones, in the sidecar the model names.
  const model = { ...xor(), weights: 'xor.safetensors' };
  const trained = GraphModel.create({ ...model, weights: undefined, training: { seed: 11 } });
  const sidecar: TensorRecords = {};
  for (const [k, t] of trained.state) sidecar[k] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
  writeFileSync(join(dir, 'xor.safetensors'), encodeSafetensors(sidecar));
  writeFileSync(join(dir, 'xor.nn.json'), JSON.stringify(model));

  const r = cli('export', 'xor.nn.json', '--target', 'onnx', '--out', 'xor.onnx');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wrote ${join('xor.onnx')}\n`);
  // The bundle writes the bytes the sources give, its version in the header.
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const bytes = readFileSync(join(dir, 'xor.onnx'));
  const fromSources = exportOnnx(model, { weights: sidecar, generator: `Backprop Studio ${version} (backprop-studio export)`, version });
  assert.ok(bytes.equals(fromSources), 'the file differs from what the sources export');
  const s = await ort.InferenceSession.create(bytes);
  const x = [0, 0, 0, 1, 1, 0, 1, 1, 0.5, -2];
  const got = await s.run({ x: new ort.Tensor('float32', Float32Array.from(x), [5, 2]) });
  const engine = GraphModel.create(model, { sidecar: sidecar });
  const want = noGrad(() => engine.forward({ x: Tensor.fromData(x, [5, 2]) }, { training: false, computeLoss: false }))
    .outputs.get('fc2')!
    .dataSync();
  assert.deepEqual([...got.fc2.dims], [5, 2]);
  const values = got.fc2.data as Float32Array;
  want.forEach((w, i) => assert.ok(Math.abs(values[i] - w) <= 1e-5 + 1e-4 * Math.abs(w), `fc2[${i}]: ${values[i]} vs the engine's ${w}`));
  // The seeded weights would give something else: the sidecar was read.
  const seeded = noGrad(() => GraphModel.create(xor()).forward({ x: Tensor.fromData(x, [5, 2]) }, { training: false, computeLoss: false }))
    .outputs.get('fc2')!
    .dataSync();
  assert.ok(seeded.some((v, i) => Math.abs(v - values[i]) > 1e-3));
});

test('CLI export --target onnx: unchanged bytes need no --force; other bytes do', () => {
  writeFileSync(join(dir, 'm.nn.json'), JSON.stringify(xor()));
  assert.equal(cli('export', 'm.nn.json', '--target', 'onnx', '--out', 'm.onnx').code, 0);
  const first = readFileSync(join(dir, 'm.onnx'));
  const mtime = statSync(join(dir, 'm.onnx')).mtimeMs;
  const again = cli('export', 'm.nn.json', '--target', 'onnx', '--out', 'm.onnx');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'unchanged m.onnx\n');
  assert.equal(statSync(join(dir, 'm.onnx')).mtimeMs, mtime, 'an unchanged file is not rewritten');

  const changed = xor();
  changed.name = 'another name';
  writeFileSync(join(dir, 'm.nn.json'), JSON.stringify(changed));
  const refused = cli('export', 'm.nn.json', '--target', 'onnx', '--out', 'm.onnx');
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'backprop-studio: m.onnx already exists; pass --force to overwrite it\n');
  assert.deepEqual(readFileSync(join(dir, 'm.onnx')), first);
  const forced = cli('export', 'm.nn.json', '--target', 'onnx', '--out', 'm.onnx', '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.notDeepEqual(readFileSync(join(dir, 'm.onnx')), first);
});

test('CLI export --target onnx: bad models and bad usage, one line each, nothing written', () => {
  const bad = xor();
  bad.nodes[1].op = 'Frobnicate';
  writeFileSync(join(dir, 'bad.nn.json'), JSON.stringify(bad));
  const r = cli('export', 'bad.nn.json', '--target', 'onnx', '--out', 'bad.onnx');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(r.stderr.includes(analyzeModel(bad).errors[0].message), r.stderr);
  assert.ok(!existsSync(join(dir, 'bad.onnx')));

  writeFileSync(join(dir, 'needs.nn.json'), JSON.stringify(TARGET_OUTPUT_MODEL));
  const s = cli('export', 'needs.nn.json', '--target', 'onnx', '--out', 'needs.onnx');
  assert.equal(s.code, 1);
  assert.equal(
    s.stderr,
    'backprop-studio: needs.nn.json: cannot export for the onnx target: output "d" depends on Target "t", which inference is not given; the ONNX target exports only outputs computed from Inputs\n',
  );
  assert.ok(!existsSync(join(dir, 'needs.onnx')));

  writeFileSync(join(dir, 'ok.nn.json'), JSON.stringify(xor()));
  for (const [args, message] of [
    [['--out', 'a.ts'], /--out must name an ONNX file \(\.onnx\), found "a\.ts"/],
    [['--out', 'a.onnx', '--embed-weights'], /--embed-weights applies to the TypeScript targets/],
    [['--out', 'a.onnx', '--no-embed-weights'], /--no-embed-weights applies to the TypeScript targets/],
    [['--out', 'a.onnx', '--engine-import', 'x'], /--engine-import applies to the engine target/],
    [[], /export needs --out FILE\.onnx/],
  ] as const) {
    const u = cli('export', 'ok.nn.json', '--target', 'onnx', ...args);
    assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
    assert.equal(u.stderr.trim().split('\n').length, 1);
    assert.match(u.stderr, message);
  }
  const nowhere = cli('export', 'ok.nn.json', '--target', 'onnx', '--out', join('nowhere', 'a.onnx'));
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /^backprop-studio: cannot write the export .*nowhere\/a\.onnx: the folder .* does not exist\n$/);
  const t = cli('export', 'ok.nn.json', '--target', 'tflite', '--out', 'a.onnx');
  assert.equal(t.code, 2);
  assert.match(t.stderr, /--target must be engine, standalone, pytorch or onnx, found "tflite"/);
  assert.ok(!existsSync(join(dir, 'a.onnx')));
});
