// What the bundled extension's commands and custom editor do, against the recording fake `vscode`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTabInputCustom, FakeUri, loadExtension } from './fake-vscode';

const VIEW_TYPE = 'backpropStudio.graphEditor';

test('New Model: picks a template, writes <name>.nn.json and opens it in the graph editor', async () => {
  const { rec } = await loadExtension();
  let offered: string[] = [];
  rec.workspaceFolder = FakeUri.file('/ws');
  rec.answers.quickPick = (items) => {
    offered = items.map((i) => i.label);
    return items.find((i) => /MLP/.test(i.label));
  };
  rec.answers.saveDialog = FakeUri.file('/ws/moons.json');
  await rec.commands.get('backpropStudio.newModel')!();

  assert.ok(offered.includes('Empty model'), `offered: ${offered.join(', ')}`);
  assert.ok(offered.some((l) => /MLP/.test(l)));
  const written = [...rec.writes.keys()];
  assert.deepEqual(written, ['file:///ws/moons.nn.json']);
  const model = JSON.parse(new TextDecoder().decode(rec.writes.get(written[0]!)));
  assert.equal(model.format, 'nn-graph');
  assert.equal(model.version, 1);
  assert.ok(model.nodes.some((n: { op: string }) => n.op === 'CrossEntropyLoss'));
  const open = rec.executed.find((e) => e.command === 'vscode.openWith');
  assert.ok(open, 'the new model is not opened');
  assert.equal(String(open.args[0]), 'file:///ws/moons.nn.json');
  assert.equal(open.args[1], VIEW_TYPE);
});

test('New Model: the empty model is named after its file', async () => {
  const { rec } = await loadExtension();
  rec.answers.quickPick = (items) => items.find((i) => i.label === 'Empty model');
  rec.answers.saveDialog = FakeUri.file('/ws/my-net.nn.json');
  await rec.commands.get('backpropStudio.newModel')!();
  const model = JSON.parse(new TextDecoder().decode(rec.writes.get('file:///ws/my-net.nn.json')!));
  assert.deepEqual(model, { format: 'nn-graph', version: 1, name: 'my-net', nodes: [], edges: [] });
});

test('New Model: cancelling the pick or the dialog writes nothing', async () => {
  const { rec } = await loadExtension();
  rec.answers.quickPick = () => undefined;
  await rec.commands.get('backpropStudio.newModel')!();
  rec.answers.quickPick = (items) => items[0];
  rec.answers.saveDialog = undefined;
  await rec.commands.get('backpropStudio.newModel')!();
  assert.equal(rec.writes.size, 0);
  assert.equal(rec.executed.length, 0);
});

test('Open as Text reopens the active graph editor tab in the default text editor', async () => {
  const { rec } = await loadExtension();
  const uri = FakeUri.file('/ws/xor.nn.json');
  rec.activeTabInput = new FakeTabInputCustom(uri, VIEW_TYPE);
  await rec.commands.get('backpropStudio.openAsText')!();
  assert.deepEqual(rec.executed, [{ command: 'vscode.openWith', args: [uri, 'default'] }]);
});

test('Open as Text uses the URI a menu passes, and says so when there is no model', async () => {
  const { rec } = await loadExtension();
  const uri = FakeUri.file('/ws/other.nn.json');
  await rec.commands.get('backpropStudio.openAsText')!(uri);
  assert.deepEqual(rec.executed, [{ command: 'vscode.openWith', args: [uri, 'default'] }]);
  rec.executed.length = 0;
  await rec.commands.get('backpropStudio.openAsText')!();
  assert.equal(rec.executed.length, 0);
  assert.equal(rec.messages.length, 1);
});

test('Train, Stop Training and the exports with no model open say what to open', async () => {
  const { rec } = await loadExtension();
  for (const id of ['train', 'stopTraining', 'exportTypeScript', 'exportOnnx']) await rec.commands.get(`backpropStudio.${id}`)!();
  assert.equal(rec.messages.length, 4);
  for (const m of rec.messages) {
    assert.equal(m.level, 'info');
    assert.match(m.text, /open a \*\.nn\.json model first|no training run to stop/);
  }
});

interface FakeWebview {
  options?: { enableScripts?: boolean; localResourceRoots?: FakeUri[] };
  html: string;
  cspSource: string;
  posted: unknown[];
  receive?: (msg: unknown) => void;
}

test('the graph editor: strict CSP, resources from dist/ and media/ only, the document sent on ready and on change, never edited', async () => {
  const { rec } = await loadExtension();
  const provider = rec.customEditors.get(VIEW_TYPE)!.provider as { resolveCustomTextEditor(doc: unknown, panel: unknown, token: unknown): unknown };
  let text = '{"format":"nn-graph","version":1,"name":"m","nodes":[],"edges":[]}';
  const uri = FakeUri.file('/ws/m.nn.json');
  const document = { uri, getText: () => text, isDirty: false, version: 1 };
  const webview: FakeWebview & Record<string, unknown> = {
    html: '',
    cspSource: 'https://csp.example',
    posted: [],
    asWebviewUri: (u: FakeUri) => new FakeUri('https', `webview${u.path}`),
    postMessage(msg: unknown) {
      webview.posted.push(msg);
      return Promise.resolve(true);
    },
    onDidReceiveMessage(listener: (msg: unknown) => void) {
      webview.receive = listener;
      return { dispose() {} };
    },
  };
  let disposePanel: (() => void) | undefined;
  const panel = { webview, onDidDispose: (l: () => void) => ((disposePanel = l), { dispose() {} }), onDidChangeViewState: () => ({ dispose() {} }) };
  await provider.resolveCustomTextEditor(document, panel, { isCancellationRequested: false });

  assert.equal(webview.options?.enableScripts, true);
  assert.deepEqual(webview.options?.localResourceRoots?.map((u) => u.path).sort(), [`${process.cwd()}/dist`, `${process.cwd()}/media`].sort());
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(webview.html)?.[1];
  assert.ok(csp, 'no CSP meta tag');
  assert.doesNotMatch(csp, /unsafe/);
  assert.match(csp, /default-src &#39;none&#39;/);
  assert.match(webview.html, /<script nonce="[^"]+" src="https:\/\/webview[^"]*\/dist\/webview\.js" defer><\/script>/);

  webview.posted.length = 0;
  webview.receive!({ type: 'ready' });
  assert.deepEqual(webview.posted, [
    { type: 'document', uri: uri.toString(), text, version: 1, readOnly: false },
    { type: 'uiPrefs', prefs: {} },
  ]);

  text = '{"format":"nn-graph","version":1,"name":"changed","nodes":[],"edges":[]}';
  document.version = 2;
  const other = { uri: FakeUri.file('/ws/other.nn.json'), getText: () => '{"format":"nn-graph","version":1,"nodes":[]}', version: 1 };
  rec.onDidChangeTextDocument.fire({ document: other, contentChanges: [{}] });
  assert.equal(webview.posted.length, 2, 'a change to another document is not sent');
  rec.onDidChangeTextDocument.fire({ document, contentChanges: [{}] });
  assert.deepEqual(webview.posted.at(-1), { type: 'document', uri: uri.toString(), text, version: 2, readOnly: false });

  disposePanel!();
  rec.onDidChangeTextDocument.fire({ document, contentChanges: [{}] });
  assert.equal(webview.posted.length, 3, 'a closed editor still gets changes');
  assert.equal(rec.edits.length, 0, 'the minimal editor must not edit the document');
});
