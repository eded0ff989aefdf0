// The files a model names: its weights sidecar (the `weights` key, or NAME.safetensors beside NAME.nn.json
// when there is none) and a CSV dataset (training.dataset.path). One rule for every reader and writer
// (Train, Reset weights, Export, the editor's rename): inside the workspace folder of the model, else the
// model's own folder, checked on real paths for `file:` models so a symbolic link cannot lead out.
// Runs the real bundle (dist/extension.js) in the host harness; the symbolic-link tests use a real folder.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../engine';
import { FakeUri, startHost, type Host, type OpenEditor } from './host-harness';

const WS = FakeUri.file('/ws');
const enc = (s: string) => new TextEncoder().encode(s);
const editMsg = (e: OpenEditor, edit: unknown) => ({ type: 'edit', version: e.doc.version, edit });

const model = (extra: Record<string, unknown> = {}, training: Record<string, unknown> = {}) =>
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
      training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 3, dataset: { source: 'circle', size: 200 }, ...training },
      ...extra,
    },
    null,
    2,
  );
const csvModel = (path: string) => model({}, { dataset: { source: 'csv', path, label: 'y' } });
const CSV = 'a,b,y\n' + Array.from({ length: 40 }, (_, i) => `${(i % 7) - 3},${(i % 5) - 2},${i % 2 ? 'odd' : 'even'}`).join('\n') + '\n';

/** Every URI the extension read, wrote, renamed, deleted or stat'ed, in order. */
function spyFs(host: Host): string[] {
  const touched: string[] = [];
  const fs = (host.vscode.workspace as { fs: Record<string, (...a: unknown[]) => unknown> }).fs;
  for (const name of ['readFile', 'writeFile', 'rename', 'delete', 'stat']) {
    const original = fs[name]!;
    fs[name] = (...args: unknown[]) => {
      for (const a of args) if (a instanceof FakeUri) touched.push(a.toString());
      return original(...args);
    };
  }
  return touched;
}
const errors = (host: Host) => host.rec.messages.filter((m) => m.level === 'error').map((m) => m.text);
const train = (host: Host, uri: FakeUri) => host.rec.commands.get('backpropStudio.train')!(uri) as Promise<{ status: string } | undefined>;

// ---- item 12: a CSV dataset outside the workspace ----

test('Train refuses a CSV dataset path outside the workspace, says why, and reads nothing outside', async () => {
  const host = await startHost({ workspaceFolder: WS });
  host.files.set('file:///etc/passwd', enc('root:x:0:0:root:/root:/bin/bash\n'));
  const touched = spyFs(host);
  const uri = FakeUri.file('/ws/m.nn.json');
  const editor = await host.open(uri, csvModel('../../../etc/passwd'));
  assert.equal(await train(host, uri), undefined);
  assert.deepEqual(errors(host), ['Backprop Studio: cannot train: training.dataset.path ("../../../etc/passwd") points outside /ws']);
  assert.equal(editor.posts('trainingState').at(-1)!.message, 'training.dataset.path ("../../../etc/passwd") points outside /ws');
  assert.deepEqual(
    touched.filter((u) => !u.startsWith('file:///ws/')),
    [],
  );
});

test('a dataset path outside set through the training panel is refused as an edit, and Train on such a file refuses', async () => {
  const host = await startHost({ workspaceFolder: WS });
  host.files.set('file:///etc/passwd', enc('root:x:0:0:root:/root:/bin/bash\n'));
  const touched = spyFs(host);
  const uri = FakeUri.file('/ws/models/m.nn.json');
  const editor = await host.open(uri, csvModel('data.csv'));
  const before = editor.doc.getText();
  editor.send(editMsg(editor, { kind: 'setTraining', path: ['dataset', 'path'], value: '../../../etc/passwd' }));
  editor.send(editMsg(editor, { kind: 'setTraining', path: ['dataset'], value: { source: 'csv', path: '/etc/passwd', label: 'y' } }));
  await host.settle();
  assert.deepEqual(
    editor.posts('editRejected').map((m) => m.reason),
    [
      'training.dataset.path ("../../../etc/passwd") points outside /ws; nothing was changed.',
      'training.dataset.path must be a path relative to the model file, found "/etc/passwd"; nothing was changed.',
    ],
  );
  assert.equal(editor.doc.getText(), before);
  // The same path in the file (typed in the text editor, or a file from elsewhere): the panel's Train refuses.
  host.setText(editor.doc, csvModel('../../../etc/passwd'));
  editor.send({ type: 'trainingControl', action: 'start' });
  await host.settle();
  assert.deepEqual(errors(host), ['Backprop Studio: cannot train: training.dataset.path ("../../../etc/passwd") points outside /ws']);
  assert.deepEqual(
    touched.filter((u) => !u.startsWith('file:///ws/')),
    [],
  );
});

test('with no workspace folder the model’s own folder is the limit for its dataset', async () => {
  const host = await startHost();
  const uri = FakeUri.file('/home/u/models/m.nn.json');
  host.files.set('file:///home/u/data.csv', enc(CSV));
  host.files.set('file:///home/u/models/data.csv', enc(CSV));
  const touched = spyFs(host);
  await host.open(uri, csvModel('../data.csv'));
  assert.equal(await train(host, uri), undefined);
  assert.deepEqual(errors(host), ['Backprop Studio: cannot train: training.dataset.path ("../data.csv") points outside /home/u/models']);
  assert.equal(touched.includes('file:///home/u/data.csv'), false);
  const inside = FakeUri.file('/home/u/models/ok.nn.json');
  await host.open(inside, csvModel('data.csv'));
  assert.equal((await train(host, inside))?.status, 'completed');
  assert.ok(touched.includes('file:///home/u/models/data.csv'));
});

// ---- item 15: the sidecar is found by the model's name when `weights` is absent ----

const f32 = (n: number, v: number) => ({ dtype: 'F32' as const, shape: [n], data: new Float32Array(n).fill(v) });
const tinyWeights = (v: number) =>
  encodeSafetensors({
    'fc1.weight': { dtype: 'F32', shape: [8, 2], data: new Float32Array(16).fill(v) },
    'fc1.bias': f32(8, 0),
    'fc2.weight': { dtype: 'F32', shape: [2, 8], data: new Float32Array(16).fill(v) },
    'fc2.bias': f32(2, 0),
  });

test('training a model with no "weights" key saves NAME.safetensors beside it without editing the document', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/tiny.nn.json');
  const editor = await host.open(uri, model());
  const text = editor.doc.getText();
  assert.equal((await train(host, uri))?.status, 'completed');
  await host.settle();
  // Nothing for undo to take back: the model is linked to its weights by its name.
  assert.equal(editor.doc.getText(), text);
  assert.equal(editor.doc.version, 1);
  assert.deepEqual(host.applied, []);
  const side = host.files.get('file:///ws/tiny.safetensors');
  assert.ok(side, 'the sidecar was written beside the model');
  assert.deepEqual(Object.keys(decodeSafetensors(side).tensors).sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
  // The next run starts from those weights: its first epoch is already better than the first run's.
  const first = (editor.posts('trainingMetrics').at(-1)!.history as { trainLoss: number }[])[0]!.trainLoss;
  assert.equal((await train(host, uri))?.status, 'completed');
  const again = (editor.posts('trainingMetrics').at(-1)!.history as { trainLoss: number }[])[0]!.trainLoss;
  assert.ok(again < first * 0.8, `second run's first epoch ${again} vs first run's ${first}`);
});

test('Reset weights deletes NAME.safetensors when the model names no weights file', async () => {
  const host = await startHost({ workspaceFolder: WS });
  (host.vscode.window as Record<string, unknown>).showWarningMessage = async () => 'Reset';
  host.files.set('file:///ws/tiny.safetensors', tinyWeights(0.5));
  const editor = await host.open(FakeUri.file('/ws/tiny.nn.json'), model());
  editor.send({ type: 'trainingControl', action: 'reset' });
  await host.settle();
  assert.equal(host.files.has('file:///ws/tiny.safetensors'), false);
  assert.deepEqual(errors(host), []);
});

test('renaming a node copies its weights in NAME.safetensors when the model names no weights file', async () => {
  const host = await startHost({ workspaceFolder: WS });
  host.files.set('file:///ws/tiny.safetensors', tinyWeights(0.5));
  const editor = await host.open(FakeUri.file('/ws/tiny.nn.json'), model());
  editor.send(editMsg(editor, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.ok(editor.doc.getText().includes('"id": "hidden"'));
  assert.deepEqual(Object.keys(decodeSafetensors(host.files.get('file:///ws/tiny.safetensors')!).tensors).sort(), [
    'fc1.bias',
    'fc1.weight',
    'fc2.bias',
    'fc2.weight',
    'hidden.bias',
    'hidden.weight',
  ]);
});

test('Export to TypeScript embeds the weights of NAME.safetensors, and refuses a "weights" path outside the workspace', async () => {
  const host = await startHost({ workspaceFolder: WS });
  host.files.set('file:///ws/tiny.safetensors', tinyWeights(0.4375));
  const uri = FakeUri.file('/ws/tiny.nn.json');
  await host.open(uri, model());
  host.rec.answers.quickPick = (items) => items.find((i) => i.label.startsWith('Standalone'));
  host.rec.answers.saveDialog = FakeUri.file('/ws/out/tiny.ts');
  await host.rec.commands.get('backpropStudio.exportTypeScript')!(uri);
  const embedded = /const WEIGHTS = \[([^\]]*)\]\.join/.exec(new TextDecoder().decode(host.files.get('file:///ws/out/tiny.ts')))?.[1];
  assert.ok(embedded, 'the module embeds weights');
  const tensors = decodeSafetensors(Buffer.from(embedded.replace(/[\s',]/g, ''), 'base64')).tensors;
  assert.deepEqual([...tensors['fc1.weight']!.data], new Array(16).fill(0.4375));

  host.files.set('file:///outside.safetensors', tinyWeights(0.8125));
  const touched = spyFs(host);
  const bad = FakeUri.file('/ws/bad.nn.json');
  await host.open(bad, model({ weights: '../outside.safetensors' }));
  host.rec.answers.saveDialog = FakeUri.file('/ws/out/bad.ts');
  assert.equal(await host.rec.commands.get('backpropStudio.exportTypeScript')!(bad), undefined);
  assert.deepEqual(errors(host), ['Backprop Studio: cannot export: "weights" ("../outside.safetensors") points outside /ws']);
  assert.deepEqual(
    touched.filter((u) => !u.startsWith('file:///ws/')),
    [],
  );
  assert.equal(host.files.has('file:///ws/out/bad.ts'), false);
});

test('Reset weights with a "weights" path outside the workspace refuses before asking, and deletes nothing', async () => {
  const host = await startHost({ workspaceFolder: WS });
  let asked = 0;
  (host.vscode.window as Record<string, unknown>).showWarningMessage = async () => (asked++, 'Reset');
  host.files.set('file:///etc/x.safetensors', tinyWeights(1));
  const editor = await host.open(FakeUri.file('/ws/m.nn.json'), model({ weights: '../etc/x.safetensors' }));
  editor.send({ type: 'trainingControl', action: 'reset' });
  await host.settle();
  assert.equal(asked, 0);
  assert.deepEqual(errors(host), ['Backprop Studio: cannot reset the weights: "weights" ("../etc/x.safetensors") points outside /ws']);
  assert.ok(host.files.has('file:///etc/x.safetensors'));
});

// ---- item 6: symbolic links, on a real folder ----

const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'bps-links-')));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ws = join(tmp, 'ws');
const outside = join(tmp, 'outside');
mkdirSync(join(ws, 'sub'), { recursive: true });
mkdirSync(outside);
symlinkSync(outside, join(ws, 'link')); // a folder link leading out
symlinkSync(join(outside, 'new.safetensors'), join(ws, 'dangling.safetensors')); // a dangling link: a write would create its target
symlinkSync(join(ws, 'sub'), join(ws, 'inner')); // a link that stays inside

test('a sidecar or dataset reached through a symbolic link that leads out of the workspace is refused everywhere', async () => {
  const host = await startHost({ workspaceFolder: FakeUri.file(ws) });
  (host.vscode.window as Record<string, unknown>).showWarningMessage = async () => 'Reset';
  const touched = spyFs(host);
  const out = (p: string) => FakeUri.file(join(outside, p)).toString();
  // (The in-memory files sit at the paths the text names, so a check on the text alone would use them.)
  host.files.set(FakeUri.file(join(ws, 'link', 'w.safetensors')).toString(), tinyWeights(0.5));
  host.files.set(FakeUri.file(join(ws, 'link', 'data.csv')).toString(), enc(CSV));

  const a = FakeUri.file(join(ws, 'a.nn.json'));
  const ea = await host.open(a, model({ weights: 'link/w.safetensors' }));
  assert.equal(await train(host, a), undefined);
  ea.send(editMsg(ea, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  ea.send({ type: 'trainingControl', action: 'reset' });
  await host.settle();
  assert.match(
    String(ea.posts('editRejected')[0]?.reason),
    /^Renaming "fc1" would leave its trained weights behind: "weights" \("link\/w.safetensors"\) leads outside .*\/ws through a symbolic link \(to ".*\/outside\/w.safetensors"\)\.$/,
  );
  assert.equal(ea.doc.version, 1);

  // No `weights` key: the default NAME.safetensors is a dangling link to outside; training would create its target.
  const d = FakeUri.file(join(ws, 'dangling.nn.json'));
  await host.open(d, model());
  assert.equal(await train(host, d), undefined);

  const c = FakeUri.file(join(ws, 'c.nn.json'));
  await host.open(c, csvModel('link/data.csv'));
  assert.equal(await train(host, c), undefined);

  const msgs = errors(host);
  assert.equal(msgs.length, 4, msgs.join('\n'));
  assert.match(msgs[0]!, /^Backprop Studio: cannot train: "weights" \("link\/w.safetensors"\) leads outside .*\/ws through a symbolic link/);
  assert.match(msgs[1]!, /^Backprop Studio: cannot reset the weights: "weights" \("link\/w.safetensors"\) leads outside .*\/ws through a symbolic link/);
  assert.match(
    msgs[2]!,
    /^Backprop Studio: cannot train: the weights file \("dangling.safetensors"\) leads outside .*\/ws through a symbolic link \(to ".*\/outside\/new.safetensors"\)/,
  );
  assert.match(msgs[3]!, /^Backprop Studio: cannot train: training.dataset.path \("link\/data.csv"\) leads outside .*\/ws through a symbolic link/);
  assert.deepEqual(
    touched.filter((u) => u.includes('/link/') || u.includes('dangling.safetensors') || u.startsWith(out(''))),
    [],
  );
});

test('a symbolic link that stays inside the workspace is followed: the weights go to the real file', async () => {
  const host = await startHost({ workspaceFolder: FakeUri.file(ws) });
  const uri = FakeUri.file(join(ws, 'b.nn.json'));
  await host.open(uri, model({ weights: 'inner/b.safetensors' }));
  assert.equal((await train(host, uri))?.status, 'completed');
  assert.ok(host.files.has(FakeUri.file(join(ws, 'sub', 'b.safetensors')).toString()), [...host.files.keys()].join('\n'));
});

test('a rename while the model trains is refused (the run would save over its copied weights); after the run it works', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/long.nn.json');
  const editor = await host.open(uri, model({}, { epochs: 10_000, dataset: { source: 'circle', size: 2000 } }));
  const run = train(host, uri);
  // Wait until the run is under way.
  for (let i = 0; i < 200 && !editor.posts('trainingState').some((m) => m.status === 'running'); i++) await new Promise((r) => setTimeout(r, 25));
  editor.send(editMsg(editor, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.match(String(editor.posts('editRejected').at(-1)?.reason), /^Renaming "fc1" was refused: the model is training/);
  assert.ok(editor.doc.getText().includes('"id": "fc1"'), 'the document is unchanged');
  await host.rec.commands.get('backpropStudio.stopTraining')!(uri);
  assert.equal((await run)?.status, 'stopped');
  await host.settle();
  editor.send(editMsg(editor, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.ok(editor.doc.getText().includes('"id": "hidden"'));
  const keys = Object.keys(decodeSafetensors(host.files.get('file:///ws/long.safetensors')!).tensors).sort();
  assert.deepEqual(keys, ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'hidden.bias', 'hidden.weight'], 'the trained weights were copied to the new id');
});
