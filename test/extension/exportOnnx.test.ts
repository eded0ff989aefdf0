// Export to ONNX as the extension runs it (the real bundle; VS Code faked by the host harness): the file goes where
// the save dialog says and runs in onnxruntime with the engine's outputs; refusals say why and write nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphModel, Tensor, analyzeModel, encodeSafetensors, noGrad, type ModelJson, type TensorRecords } from '../../engine';
import { FakeUri } from '../foundation/fake-vscode';
import { startHost } from './host-harness';

const DIR = FakeUri.file('/ws');
const MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'tiny',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
    { id: 'act', op: 'GELU' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 0 },
};

test('Export to ONNX writes the model with its sidecar weights where the save dialog says', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const trained = GraphModel.create({ ...MODEL, training: { seed: 4 } });
  const sidecar: TensorRecords = {};
  for (const [k, t] of trained.state) sidecar[k] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
  host.files.set(FakeUri.file('/ws/tiny.safetensors').toString(), encodeSafetensors(sidecar));
  const uri = FakeUri.file('/ws/tiny.nn.json');
  await host.open(uri, JSON.stringify(MODEL, null, 2));
  host.rec.answers.saveDialog = FakeUri.file('/ws/out/tiny.onnx');
  const written = (await host.rec.commands.get('backpropStudio.exportOnnx')!(uri)) as FakeUri[];
  assert.deepEqual(
    written.map((u) => u.path),
    ['/ws/out/tiny.onnx'],
  );
  const bytes = host.files.get(FakeUri.file('/ws/out/tiny.onnx').toString())!;
  const s = await ort.InferenceSession.create(bytes);
  const x = [0.5, -1, 2, 0.25];
  const got = (await s.run({ x: new ort.Tensor('float32', Float32Array.from(x), [2, 2]) })).fc2.data as Float32Array;
  const want = noGrad(() => GraphModel.create(MODEL, { sidecar }).forward({ x: Tensor.fromData(x, [2, 2]) }, { training: false, computeLoss: false }))
    .outputs.get('fc2')!
    .dataSync();
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-5 + 1e-4 * Math.abs(w), `fc2[${i}]: ${got[i]} vs the engine's ${w}`));
  assert.ok(host.rec.messages.some((m) => m.level === 'info' && /exported tiny\.onnx/.test(m.text)));
});

test('Export to ONNX refuses an invalid graph and an output that needs a Target, with the reason, writing nothing', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const bad = structuredClone(MODEL);
  bad.nodes[1].attrs = { outFeatures: 0 };
  const badUri = FakeUri.file('/ws/bad.nn.json');
  await host.open(badUri, JSON.stringify(bad));
  host.rec.answers.saveDialog = FakeUri.file('/ws/bad.onnx');
  assert.equal(await host.rec.commands.get('backpropStudio.exportOnnx')!(badUri), undefined);
  const message = analyzeModel(bad).errors[0].message;
  assert.ok(
    host.rec.messages.some((m) => m.level === 'error' && m.text.includes(`cannot export to ONNX: ${message}`)),
    JSON.stringify(host.rec.messages),
  );
  assert.equal(host.files.has(FakeUri.file('/ws/bad.onnx').toString()), false);

  const needs = structuredClone(MODEL);
  needs.nodes.push({ id: 'shift', op: 'Add' }, { id: 't', op: 'Target', attrs: { shape: [2] } });
  needs.edges = needs.edges.filter((e) => e.to !== 'loss' || e.port === 1);
  needs.edges.push({ from: 'fc2', to: 'shift', port: 0 }, { from: 't', to: 'shift', port: 1 }, { from: 'shift', to: 'loss', port: 0 });
  assert.deepEqual(analyzeModel(needs).errors, []);
  const needsUri = FakeUri.file('/ws/needs.nn.json');
  await host.open(needsUri, JSON.stringify(needs));
  host.rec.answers.saveDialog = FakeUri.file('/ws/needs.onnx');
  assert.equal(await host.rec.commands.get('backpropStudio.exportOnnx')!(needsUri), undefined);
  assert.ok(
    host.rec.messages.some((m) => m.level === 'error' && /cannot export to ONNX: output "shift" depends on Target "t"/.test(m.text)),
    JSON.stringify(host.rec.messages),
  );
  assert.equal(host.files.has(FakeUri.file('/ws/needs.onnx').toString()), false);

  // Cancelling the save dialog writes nothing and says nothing.
  const uri = FakeUri.file('/ws/tiny.nn.json');
  await host.open(uri, JSON.stringify(MODEL));
  host.rec.answers.saveDialog = undefined;
  const before = host.rec.messages.length;
  assert.equal(await host.rec.commands.get('backpropStudio.exportOnnx')!(uri), undefined);
  assert.equal(host.rec.messages.length, before);
});
