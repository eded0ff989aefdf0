// Train, Stop Training, Export to TypeScript and Export to PyTorch as the extension runs them (the real bundle, the real
// training worker and code generator; VS Code faked by the host harness).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeSafetensors } from '../../engine';
import { FakeUri } from '../foundation/fake-vscode';
import { startHost } from './host-harness';

const DIR = FakeUri.file('/ws');
const model = (extra: Record<string, unknown> = {}) =>
  JSON.stringify(
    {
      format: 'nn-graph',
      version: 1,
      name: 'tiny',
      nodes: [
        { id: 'x', op: 'Input', attrs: { shape: [2] } },
        { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
        { id: 'act', op: 'Tanh' },
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
      training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 3, dataset: { source: 'circle', size: 200 } },
      ...extra,
    },
    null,
    2,
  );

test('Train runs in the worker, streams state to the editor, and saves the sidecar beside the model without naming it there', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/tiny.nn.json');
  const editor = await host.open(uri, model());
  const result = (await host.rec.commands.get('backpropStudio.train')!(uri)) as { status: string };
  assert.equal(result.status, 'completed');
  await host.settle();
  const side = host.files.get(FakeUri.file('/ws/tiny.safetensors').toString());
  assert.ok(side, 'the sidecar was written');
  assert.deepEqual(Object.keys(decodeSafetensors(side).tensors).sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
  // NAME.safetensors beside NAME.nn.json is the model's sidecar when it has no "weights" key: no edit to undo.
  assert.equal(editor.doc.getText(), model());
  const states = editor.posts('trainingState').map((m) => m.status);
  assert.ok(states.includes('running') && states.at(-1) === 'completed', states.join(','));
  assert.ok(editor.posts('trainingMetrics').length >= 3);
  assert.ok(editor.posts('gradients').length >= 1);
  assert.ok(host.rec.executed.some((e) => e.command === 'setContext' && e.args[0] === 'backpropStudio.trainingActive' && e.args[1] === true));
});

test('Stop Training ends the run early and still saves the weights; a second Train of a running model is refused', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/long.nn.json');
  const editor = await host.open(
    uri,
    model({ weights: 'long.safetensors', training: { seed: 0, epochs: 100000, batchSize: 8, dataset: { source: 'xor', size: 400 } } }),
  );
  const run = host.rec.commands.get('backpropStudio.train')!(uri) as Promise<{ status: string }>;
  // Stop once the run has taken steps (the log then names the step it stopped at): on a loaded machine the worker
  // can take longer to start than any fixed wait.
  for (const end = Date.now() + 30_000; !editor.posts('trainingState').some((m) => m.progress); await new Promise((r) => setTimeout(r, 10))) {
    assert.ok(Date.now() < end, 'the run reported no progress within 30 s');
  }
  await host.rec.commands.get('backpropStudio.train')!(uri);
  assert.ok(host.rec.messages.some((m) => /already training/.test(m.text)));
  await host.rec.commands.get('backpropStudio.stopTraining')!(uri);
  const result = await run;
  assert.equal(result.status, 'stopped');
  assert.ok(host.files.get(FakeUri.file('/ws/long.safetensors').toString()));
  // Output → Backprop Studio says who stopped the run, and how long it took to end after that.
  const log = host.rec.log.filter((l) => l.includes('Backprop Studio: training long.nn.json'));
  assert.ok(
    log.some((l) => /stop requested \(Stop Training command\)/.test(l)),
    log.join('\n'),
  );
  assert.ok(
    log.some((l) => /stopped after [\d.]+ s at step \d+ .*, \d+ ms after Stop \(Stop Training command\)/.test(l)),
    log.join('\n'),
  );
  assert.ok(
    log.some((l) => /saved \d+ bytes of weights in \d+ ms/.test(l)),
    log.join('\n'),
  );
});

test('a NaN stops the run, names the step and node, and keeps the last good weights', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/nan.nn.json');
  const json = JSON.parse(model({ weights: 'nan.safetensors' }));
  json.nodes[2] = { id: 'lg', op: 'Log' };
  json.edges = [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'lg' },
    { from: 'lg', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ];
  const editor = await host.open(uri, JSON.stringify(json, null, 2));
  const result = (await host.rec.commands.get('backpropStudio.train')!(uri)) as { status: string; message: string };
  assert.equal(result.status, 'nonFinite');
  assert.match(result.message, /step 1.*"lg" \(Log\)/);
  assert.ok(host.rec.messages.some((m) => m.level === 'error' && /"lg"/.test(m.text)));
  // The host feeds training messages to a view one drawn message at a time (trainingFeed.ts): let the last arrive.
  for (const end = Date.now() + 10_000; editor.posts('trainingState').at(-1)?.status !== 'nonFinite'; await host.settle()) {
    assert.ok(Date.now() < end, `the view's last training state: ${JSON.stringify(editor.posts('trainingState').at(-1))}`);
  }
  const last = editor.posts('trainingState').at(-1)!;
  assert.equal(last.nodeId, 'lg');
  const side = decodeSafetensors(host.files.get(FakeUri.file('/ws/nan.safetensors').toString())!);
  for (const t of Object.values(side.tensors)) assert.ok(t.data.every(Number.isFinite));
});

test('Export to TypeScript writes the chosen target where the save dialog says, with the runtime beside it', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  // The engine runtime is read from the extension's dist folder.
  for (const f of ['engine.mjs', 'engine.d.mts']) host.files.set(FakeUri.file(resolve('dist', f)).toString(), readFileSync(resolve('dist', f)));
  const uri = FakeUri.file('/ws/tiny.nn.json');
  await host.open(uri, model());
  host.rec.answers.quickPick = (items) => items.find((i) => i.label.startsWith('Engine'));
  host.rec.answers.saveDialog = FakeUri.file('/ws/out/tiny.ts');
  const written = (await host.rec.commands.get('backpropStudio.exportTypeScript')!(uri)) as FakeUri[];
  assert.deepEqual(written.map((u) => u.path).sort(), ['/ws/out/backprop-engine.d.mts', '/ws/out/backprop-engine.mjs', '/ws/out/tiny.ts']);
  const code = new TextDecoder().decode(host.files.get(FakeUri.file('/ws/out/tiny.ts').toString()));
  assert.match(code, /export function createModel/);
  assert.match(code, /fc1/);

  host.rec.answers.quickPick = (items) => items.find((i) => i.label.startsWith('Standalone'));
  host.rec.answers.saveDialog = FakeUri.file('/ws/out/tiny-standalone.ts');
  await host.rec.commands.get('backpropStudio.exportTypeScript')!(uri);
  const standalone = new TextDecoder().decode(host.files.get(FakeUri.file('/ws/out/tiny-standalone.ts').toString()));
  assert.match(standalone, /export function predict\(/);
});

test("Export refuses an invalid graph with the engine's message and writes nothing", async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/bad.nn.json');
  const json = JSON.parse(model());
  json.nodes[1].attrs.outFeatures = 0;
  await host.open(uri, JSON.stringify(json));
  host.rec.answers.saveDialog = FakeUri.file('/ws/bad.ts');
  const r = await host.rec.commands.get('backpropStudio.exportTypeScript')!(uri);
  assert.equal(r, undefined);
  assert.ok(host.rec.messages.some((m) => m.level === 'error' && /"fc1".*outFeatures/.test(m.text)));
  assert.equal(host.files.has(FakeUri.file('/ws/bad.ts').toString()), false);
});

test('Export to PyTorch writes the folder the save dialog names; differing files there are replaced only when the user confirms', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/tiny.nn.json');
  await host.open(uri, model());
  host.rec.answers.saveDialog = FakeUri.file('/ws/tiny-pytorch');
  const written = (await host.rec.commands.get('backpropStudio.exportPyTorch')!(uri)) as FakeUri[];
  const names = ['README.md', 'data.safetensors', 'initial.safetensors', 'model.py', 'safetensors_io.py', 'train.py'];
  assert.deepEqual(
    written.map((u) => u.path).sort(),
    names.map((n) => `/ws/tiny-pytorch/${n}`),
  );
  const train = new TextDecoder().decode(host.files.get(FakeUri.file('/ws/tiny-pytorch/train.py').toString()));
  // The trained weights get the name the editor reads beside tiny.nn.json.
  assert.match(train, /^WEIGHTS_FILE = 'tiny\.safetensors'$/m);
  assert.match(train, /Export to PyTorch/);

  // The same export again: nothing changes, nothing is asked.
  let asked = 0;
  const window = host.vscode.window as Record<string, unknown>;
  window.showWarningMessage = async () => (asked++, undefined);
  assert.deepEqual(await host.rec.commands.get('backpropStudio.exportPyTorch')!(uri), []);
  assert.equal(asked, 0);
  // A file edited since is replaced only on confirmation.
  host.files.set(FakeUri.file('/ws/tiny-pytorch/train.py').toString(), new TextEncoder().encode('# mine'));
  assert.equal(await host.rec.commands.get('backpropStudio.exportPyTorch')!(uri), undefined);
  assert.equal(asked, 1);
  assert.equal(new TextDecoder().decode(host.files.get(FakeUri.file('/ws/tiny-pytorch/train.py').toString())), '# mine');
  window.showWarningMessage = async (text: string) => (asked++, /train\.py/.test(text) ? 'Replace' : undefined);
  const again = (await host.rec.commands.get('backpropStudio.exportPyTorch')!(uri)) as FakeUri[];
  assert.deepEqual(
    again.map((u) => u.path),
    ['/ws/tiny-pytorch/train.py'],
  );
  assert.match(new TextDecoder().decode(host.files.get(FakeUri.file('/ws/tiny-pytorch/train.py').toString())), /DistributedDataParallel/);
});

test("Export to PyTorch refuses an invalid graph with the engine's message and writes nothing", async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/bad.nn.json');
  const json = JSON.parse(model());
  json.nodes[1].attrs.outFeatures = 0;
  await host.open(uri, JSON.stringify(json));
  host.rec.answers.saveDialog = FakeUri.file('/ws/bad-pytorch');
  assert.equal(await host.rec.commands.get('backpropStudio.exportPyTorch')!(uri), undefined);
  assert.ok(host.rec.messages.some((m) => m.level === 'error' && /cannot export: .*"fc1".*outFeatures/.test(m.text)));
  assert.equal(
    [...host.files.keys()].some((k) => k.includes('bad-pytorch')),
    false,
  );
});

test('closing the last editor on a training model stops the run and still saves its weights', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const uri = FakeUri.file('/ws/closing.nn.json');
  const editor = await host.open(
    uri,
    model({ weights: 'closing.safetensors', training: { seed: 0, epochs: 100000, batchSize: 8, dataset: { source: 'xor', size: 400 } } }),
  );
  const run = host.rec.commands.get('backpropStudio.train')!(uri) as Promise<{ status: string }>;
  await new Promise((r) => setTimeout(r, 300));
  editor.close();
  const result = await run;
  assert.equal(result.status, 'stopped');
  assert.ok(host.files.get(FakeUri.file('/ws/closing.safetensors').toString()));
});

test('cancelling the progress notification stops the run', async () => {
  const host = await startHost({ workspaceFolder: DIR });
  const cancel: (() => void)[] = [];
  // The progress notification's Cancel button: VS Code fires the token given to the task.
  (host.vscode.window as Record<string, unknown>).withProgress = async (_o: unknown, task: (p: unknown, t: unknown) => Promise<void>) =>
    task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: (l: () => void) => (cancel.push(l), { dispose() {} }) });
  const uri = FakeUri.file('/ws/cancel.nn.json');
  await host.open(uri, model({ weights: 'cancel.safetensors', training: { seed: 0, epochs: 100000, batchSize: 8, dataset: { source: 'xor', size: 400 } } }));
  const run = host.rec.commands.get('backpropStudio.train')!(uri) as Promise<{ status: string }>;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(cancel.length, 1, 'the run shows a cancellable progress notification');
  cancel[0]!();
  assert.equal((await run).status, 'stopped');
});
