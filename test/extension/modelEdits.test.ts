// One path writes a model document (extension/document/modelEditor.ts): the canvas's edits and the training
// manager's (what a CSV run learned, Reset weights) go through one queue per document, one WorkspaceEdit
// each, so neither is lost and they land in the order they were issued. The real bundle in the host harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSafetensors } from '../../engine';
import { FakeUri, startHost, type Host, type OpenEditor, type WorkspaceEdit } from './host-harness';

const WS = FakeUri.file('/ws');
const enc = (s: string) => new TextEncoder().encode(s);
const CSV = 'a,b,y\n' + Array.from({ length: 40 }, (_, i) => `${(i % 7) - 3},${(i % 5) - 2},${i % 2 ? 'odd' : 'even'}`).join('\n') + '\n';
const model = (extra: Record<string, unknown> = {}) =>
  JSON.stringify(
    {
      format: 'nn-graph',
      version: 1,
      name: 'tiny',
      nodes: [
        { id: 'x', op: 'Input', attrs: { shape: [2] } },
        { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
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
      training: { seed: 0, batchSize: 8, epochs: 2, dataset: { source: 'csv', path: 'data.csv', label: 'y' } },
      ...extra,
    },
    null,
    2,
  );

/** Calls `hook` right after each WorkspaceEdit is applied, with the edit's text. */
function afterEachEdit(host: Host, hook: (text: string) => void): void {
  const ws = host.vscode.workspace as { applyEdit(e: WorkspaceEdit): Promise<boolean> };
  const original = ws.applyEdit;
  ws.applyEdit = async (e) => {
    const ok = await original(e);
    hook(e.entries.map((x) => x.text).join(''));
    return ok;
  };
}
const edited = (host: Host) => host.applied.map((e) => e.entries.map((x) => x.text).join(''));
const setName = (e: OpenEditor, name: string, version = e.doc.version) => e.send({ type: 'edit', version, edit: { kind: 'setName', name } });

test('what training learned and a canvas edit issued at the same time both land, in the order issued', async () => {
  const host = await startHost({ workspaceFolder: WS });
  host.files.set('file:///ws/data.csv', enc(CSV));
  const uri = FakeUri.file('/ws/m.nn.json');
  const editor = await host.open(uri, model());
  // Training writes what it learned (classes, normalization); at that moment the canvas sends an edit made on
  // the text it had, the version before training's edit.
  afterEachEdit(host, (text) => {
    if (text.includes('"classes"')) setName(editor, 'from the canvas', editor.doc.version - 1);
  });
  assert.equal(((await host.rec.commands.get('backpropStudio.train')!(uri)) as { status: string }).status, 'completed');
  await host.settle();
  assert.deepEqual(editor.posts('editRejected'), []);
  const json = JSON.parse(editor.doc.getText());
  assert.equal(json.name, 'from the canvas');
  assert.deepEqual(json.training.dataset.classes, ['even', 'odd']);
  const order = edited(host);
  assert.equal(order.length, 2);
  assert.match(order[0]!, /"classes"/);
  assert.match(order[1]!, /from the canvas/);

  // The other order: the canvas edit first, then training's, in the same moment.
  const uri2 = FakeUri.file('/ws/m2.nn.json');
  const editor2 = await host.open(uri2, model());
  host.applied.length = 0;
  const fs = (host.vscode.workspace as { fs: Record<string, (...a: unknown[]) => Promise<unknown>> }).fs;
  const rename = fs.rename!;
  fs.rename = async (from, to, options) => {
    // The run's weights are being saved: the next thing training does is write what it learned.
    if (String(to) === 'file:///ws/m2.safetensors') setName(editor2, 'canvas first');
    return rename(from, to, options);
  };
  assert.equal(((await host.rec.commands.get('backpropStudio.train')!(uri2)) as { status: string }).status, 'completed');
  await host.settle();
  assert.deepEqual(editor2.posts('editRejected'), []);
  assert.equal(JSON.parse(editor2.doc.getText()).name, 'canvas first');
  assert.deepEqual(JSON.parse(editor2.doc.getText()).training.dataset.classes, ['even', 'odd']);
  assert.match(edited(host)[0]!, /canvas first/);
  assert.match(edited(host)[1]!, /"classes"/);
});

test('training’s edit waits for a canvas rename that is still copying its weights, instead of making it fail', async () => {
  const host = await startHost({ workspaceFolder: WS });
  host.files.set('file:///ws/data.csv', enc(CSV));
  host.files.set('file:///ws/m.safetensors', encodeSafetensors({ 'fc1.bias': { dtype: 'F32', shape: [4], data: new Float32Array(4) } }));
  const uri = FakeUri.file('/ws/m.nn.json');
  const editor = await host.open(uri, model({ weights: 'm.safetensors' }));
  const fs = (host.vscode.workspace as { fs: Record<string, (...a: unknown[]) => Promise<unknown>> }).fs;
  // The rename's read of the weights file is slow: it ends when the run has saved its weights.
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  const { readFile, rename } = fs;
  let gated = false;
  fs.readFile = async (u) => {
    if (String(u) === 'file:///ws/m.safetensors' && !gated) {
      gated = true;
      await slow;
    }
    return readFile!(u);
  };
  fs.rename = async (from, to, options) => {
    const r = await rename!(from, to, options);
    if (String(to) === 'file:///ws/m.safetensors' && String(from).endsWith('.tmp') && gated) setImmediate(release);
    return r;
  };
  editor.send({ type: 'edit', version: editor.doc.version, edit: { kind: 'renameNode', from: 'fc1', to: 'hidden' } });
  await host.settle();
  assert.ok(gated, 'the rename is reading the weights file');
  assert.equal(((await host.rec.commands.get('backpropStudio.train')!(uri)) as { status: string }).status, 'completed');
  await host.settle();
  assert.deepEqual(editor.posts('editRejected'), []);
  const json = JSON.parse(editor.doc.getText());
  assert.ok(json.nodes.some((n: { id: string }) => n.id === 'hidden'));
  assert.deepEqual(json.training.dataset.classes, ['even', 'odd']);
  assert.match(edited(host)[0]!, /hidden/);
  assert.match(edited(host)[1]!, /"classes"/);
});
