// The graph editor provider in the bundled extension (dist/extension.js), driven through a stand-in VS Code
// host (host-harness.ts): documents, edits, messages, diagnostics, the sidecar, commands, New Model.
// Needs the build (`npm test` builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeModel } from '../../engine/graph/analyze';
import { decodeSafetensors, encodeSafetensors } from '../../engine/io/safetensors';
import { FakeUri, startHost, type OpenEditor } from './host-harness';
import { HOSTILE } from './hostile';

const XOR = readFileSync('examples/xor.nn.json', 'utf8');
const URI = FakeUri.file('/ws/xor.nn.json');

const lastDocument = (e: OpenEditor) => e.posts('document').at(-1) as { text: string; version: number; readOnly: boolean; uri: string };
const editMsg = (e: OpenEditor, edit: unknown) => ({ type: 'edit', version: e.doc.version, edit });

test('opening sends the text with its version, never edits, never marks the file dirty', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  await host.settle();
  assert.deepEqual(lastDocument(e), { type: 'document', uri: URI.toString(), text: XOR, version: 1, readOnly: false });
  e.webview.posted.length = 0;
  e.send({ type: 'ready' });
  assert.deepEqual(e.webview.posted, [
    { type: 'document', uri: URI.toString(), text: XOR, version: 1, readOnly: false },
    { type: 'uiPrefs', prefs: {} },
  ]);
  assert.equal(host.applied.length, 0);
  assert.equal(e.doc.isDirty, false);
  assert.equal(e.doc.version, 1);
  // The CSP and resource roots of the foundation are kept.
  assert.match(e.webview.html, /default-src &#39;none&#39;/);
  assert.doesNotMatch(e.webview.html, /unsafe/);
  assert.deepEqual(e.webview.options?.localResourceRoots?.map((u) => u.path).sort(), [`${process.cwd()}/dist`, `${process.cwd()}/media`].sort());
});

test("view preferences are kept per workspace: one editor's change reaches every editor, and a new one opens with it", async () => {
  const host = await startHost();
  const a = await host.open(URI, XOR);
  const b = await host.openAnother(a.doc);
  a.send({ type: 'setUiPrefs', prefs: { minimapOpen: false, overlayMode: 'update' } });
  await host.settle();
  for (const e of [a, b]) assert.deepEqual(e.posts('uiPrefs').at(-1), { type: 'uiPrefs', prefs: { minimapOpen: false, overlayMode: 'update' } });
  b.send({ type: 'setUiPrefs', prefs: { legendOpen: true } });
  await host.settle();
  assert.deepEqual(a.posts('uiPrefs').at(-1), { type: 'uiPrefs', prefs: { minimapOpen: false, overlayMode: 'update', legendOpen: true } });
  // A malformed preference is refused, naming it, and changes nothing.
  a.send({ type: 'setUiPrefs', prefs: { overlayMode: 'sparkles' } });
  await host.settle();
  assert.match(String((a.posts('editRejected').at(-1) as { reason?: string } | undefined)?.reason), /overlayMode: must be one of gradient, update, weight/);
  const other = FakeUri.file('/ws/other.nn.json');
  const c = await host.open(other, XOR);
  c.send({ type: 'ready' });
  await host.settle();
  assert.deepEqual(c.posts('uiPrefs').at(-1), { type: 'uiPrefs', prefs: { minimapOpen: false, overlayMode: 'update', legendOpen: true } });
});

test('an edit is applied as one WorkspaceEdit of the changed characters; the new text comes back once, and is not applied again', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  const other = await host.openAnother(e.doc);
  e.webview.posted.length = 0;
  other.webview.posted.length = 0;
  e.send(editMsg(e, { kind: 'moveNodes', positions: { fc1: { x: 220.4, y: 120 } } }));
  await host.settle();
  assert.equal(host.applied.length, 1);
  const [entry, ...more] = host.applied[0]!.entries;
  assert.equal(more.length, 0);
  assert.equal(entry!.range.start.line, 6, 'only the line of fc1');
  assert.equal(entry!.range.end.line, 6);
  assert.equal(entry!.text, ', "ui": { "x": 220, "y": 120 }');
  assert.ok(e.doc.text.includes('{ "id": "fc1",  "op": "Linear", "attrs": { "outFeatures": 8 }, "ui": { "x": 220, "y": 120 } },'));
  assert.equal(e.doc.isDirty, true);
  // Every editor of the document gets the new text, once; nothing else happens.
  for (const ed of [e, other]) {
    assert.equal(ed.posts('document').length, 1);
    assert.deepEqual(lastDocument(ed), { type: 'document', uri: URI.toString(), text: e.doc.text, version: 2, readOnly: false });
    assert.equal(ed.posts('editRejected').length, 0);
  }
  await host.settle();
  assert.equal(host.applied.length, 1, 'the edit was applied again');
});

test('an edit made on an older version is refused, and the webview gets the current text', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  host.setText(e.doc, XOR.replace('XOR classifier', 'typed in the text editor'));
  assert.equal(lastDocument(e).version, 2, 'a change from the text editor reaches the graph');
  e.send({ type: 'edit', version: 1, edit: { kind: 'setName', name: 'stale' } });
  await host.settle();
  assert.equal(host.applied.length, 0);
  assert.match(String(e.posts('editRejected')[0]?.reason), /changed before this edit arrived/);
  assert.equal(lastDocument(e).text, e.doc.text);
  assert.ok(e.doc.text.includes('typed in the text editor'));
});

test('two quick edits on the same version: the first applies, the second is refused as stale', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  e.send(editMsg(e, { kind: 'setName', name: 'one' }));
  e.send(editMsg(e, { kind: 'setName', name: 'two' }));
  await host.settle();
  assert.equal(host.applied.length, 1);
  assert.ok(e.doc.text.includes('"name": "one"'));
  assert.equal(e.posts('editRejected').length, 1);
});

test('undo, revert and git checkout (changes from outside) reach the webview with their version', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  e.send(editMsg(e, { kind: 'renameNode', from: 'act1', to: 'relu' }));
  await host.settle();
  assert.ok(lastDocument(e).text.includes('"relu"'));
  host.setText(e.doc, XOR); // undo
  assert.deepEqual(lastDocument(e), { type: 'document', uri: URI.toString(), text: XOR, version: 3, readOnly: false });
  const checkedOut = XOR.replace('"outFeatures": 8', '"outFeatures": 64');
  host.setText(e.doc, checkedOut); // git checkout of the file
  assert.equal(lastDocument(e).text, checkedOut);
  // A change event without a content change (save) sends nothing.
  const n = e.posts('document').length;
  host.save(e.doc);
  assert.equal(e.posts('document').length, n);
  assert.equal(host.applied.length, 1);
});

test('malformed and hostile messages change nothing, and the host keeps working', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  for (const [what, raw] of HOSTILE) {
    const before = e.webview.posted.length;
    assert.doesNotThrow(() => e.send(raw), what);
    assert.equal(e.webview.posted.length, before + 1, `${what}: no answer`);
    const answer = e.webview.posted.at(-1)!;
    assert.equal(answer.type, 'editRejected', what);
    assert.match(String(answer.reason), /malformed message/, what);
  }
  // Well-formed edits that make no sense for this document are refused too, each for its own reason.
  const nonsense: [unknown, RegExp][] = [
    [{ kind: 'moveNodes', positions: JSON.parse('{"__proto__": {"x": 1, "y": 2}}') }, /no node "__proto__"/],
    [{ kind: 'setAttr', nodeId: 'fc1', attr: '__proto__', value: 1 }, /Linear has no attribute "__proto__"/],
    [{ kind: 'addNodes', nodes: [{ id: 'toString', op: 'Linear', attrs: JSON.parse('{"__proto__": 3}') }], edges: [] }, /no attribute "__proto__"/],
    [{ kind: 'connect', edge: { from: 'loss', to: 'x' } }, /takes no inputs/],
    [{ kind: 'deleteElements', nodeIds: ['hasOwnProperty'], edges: [] }, /no node "hasOwnProperty"/],
    [{ kind: 'renameNode', from: 'constructor', to: 'x2' }, /no node "constructor"/],
  ];
  for (const [edit, reason] of nonsense) {
    e.send(editMsg(e, edit));
    await host.settle();
    assert.match(String(e.posts('editRejected').at(-1)?.reason), reason);
  }
  assert.equal(host.applied.length, 0);
  assert.equal(e.doc.text, XOR, 'the document was changed');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
  const applied = 0;
  // ...and a valid edit still applies.
  e.send(editMsg(e, { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 16 }));
  await host.settle();
  assert.ok(e.doc.text.includes('"outFeatures": 16'));
  assert.equal(host.applied.length, applied + 1);
});

test('a malformed file, a newer version or unknown ops: the text is sent for the error page, and never edited', async () => {
  const cases = {
    'bad JSON': XOR.slice(0, 300),
    'newer version': XOR.replace('"version": 1', '"version": 7'),
    'unknown op': XOR.replace('"ReLU"', '"Swish"'),
  };
  for (const [what, text] of Object.entries(cases)) {
    const host = await startHost();
    const e = await host.open(FakeUri.file(`/ws/${what.replace(/ /g, '-')}.nn.json`), text);
    assert.equal(lastDocument(e).text, text, what);
    for (const edit of [
      { kind: 'setName', name: 'x' },
      { kind: 'moveNodes', positions: { x: { x: 0, y: 0 } } },
      { kind: 'addNodes', nodes: [{ id: 'n', op: 'ReLU' }], edges: [] },
      { kind: 'deleteElements', nodeIds: ['fc1'], edges: [] },
      { kind: 'renameNode', from: 'fc1', to: 'g' },
    ]) {
      e.send(editMsg(e, edit));
    }
    await host.settle();
    assert.equal(host.applied.length, 0, what);
    assert.equal(e.doc.text, text, what);
    assert.equal(e.doc.isDirty, false, what);
    assert.equal(e.posts('editRejected').length, 5, what);
    // The error is on the file too.
    assert.ok((host.diagnostics.get(e.doc.uri.toString()) ?? []).length > 0, what);
  }
});

test('the left side of a git diff is read-only: readOnly is sent and edits are refused', async () => {
  const host = await startHost();
  const e = await host.open(new FakeUri('git', '/ws/xor.nn.json'), XOR);
  assert.equal(lastDocument(e).readOnly, true);
  e.send(editMsg(e, { kind: 'setName', name: 'x' }));
  await host.settle();
  assert.equal(host.applied.length, 0);
  assert.match(String(e.posts('editRejected')[0]?.reason), /read-only/);
  // No diagnostics on a git: document (the Problems view would list every old revision).
  assert.equal(host.diagnostics.get(e.doc.uri.toString()), undefined);
});

test('diagnostics: published on open, updated on every change, cleared when the file closes', async () => {
  const host = await startHost();
  const text = XOR.replace('"outFeatures": 8', '"outFeatures": 0');
  const e = await host.open(URI, text);
  const key = URI.toString();
  const [d] = host.diagnostics.get(key)!;
  assert.equal(d!.severity, 0);
  assert.equal(d!.source, 'Backprop Studio');
  // The code links to the node (revealNode.test.ts follows the link).
  assert.equal((d!.code as { value: string }).value, 'bad-attr');
  assert.equal(d!.range.start.line, 6);
  assert.equal(text.split('\n')[6]!.slice(d!.range.start.character, d!.range.end.character), '"outFeatures": 0');
  e.send(editMsg(e, { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 8 }));
  await host.settle();
  assert.deepEqual(host.diagnostics.get(key), []);
  host.setText(e.doc, XOR.replace('{ "from": "x", "to": "fc1" },', ''));
  assert.deepEqual(
    host.diagnostics.get(key)!.map((x) => (x.code as { value: string }).value),
    ['missing-input'],
  );
  e.close();
  host.closeDocument(e.doc);
  assert.equal(host.diagnostics.has(key), false);
});

test('renaming a node renames its weights in the sidecar; undo keeps them; closing prunes the unused copies', async () => {
  const host = await startHost({ workspaceFolder: FakeUri.file('/ws') });
  const sidecar = FakeUri.file('/ws/xor.safetensors').toString();
  host.files.set(
    sidecar,
    encodeSafetensors({
      'fc1.weight': { dtype: 'F32', shape: [8, 2], data: new Float32Array(16).fill(0.5) },
      'fc1.bias': { dtype: 'F32', shape: [8], data: new Float32Array(8) },
    }),
  );
  host.files.set(URI.toString(), new TextEncoder().encode(XOR));
  const e = await host.open(URI, XOR);
  e.send(editMsg(e, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.ok(e.doc.text.includes('"id": "hidden"'));
  let keys = Object.keys(decodeSafetensors(host.files.get(sidecar)!).tensors).sort();
  assert.deepEqual(keys, ['fc1.bias', 'fc1.weight', 'hidden.bias', 'hidden.weight']);
  assert.deepEqual(
    [...host.files.keys()].filter((k) => k.endsWith('.tmp')),
    [],
    'the temporary file was renamed into place',
  );
  // Saved, then closed: the old keys go.
  host.save(e.doc);
  e.close();
  host.closeDocument(e.doc);
  await host.settle();
  keys = Object.keys(decodeSafetensors(host.files.get(sidecar)!).tensors).sort();
  assert.deepEqual(keys, ['hidden.bias', 'hidden.weight']);
  assert.equal(analyzeModel(new TextDecoder().decode(host.files.get(URI.toString()))).errors.length, 0);

  // Renamed and undone, then closed without saving: the new keys go, the old ones stay.
  const e2 = await host.open(URI, e.doc.text);
  e2.send(editMsg(e2, { kind: 'renameNode', from: 'hidden', to: 'dense' }));
  await host.settle();
  host.setText(e2.doc, e.doc.text); // undo
  e2.close();
  host.closeDocument(e2.doc);
  await host.settle();
  keys = Object.keys(decodeSafetensors(host.files.get(sidecar)!).tensors).sort();
  assert.deepEqual(keys, ['hidden.bias', 'hidden.weight']);
});

test('a rename is refused when the weights file is corrupt or points outside the workspace; a missing one is fine', async () => {
  const host = await startHost({ workspaceFolder: FakeUri.file('/ws') });
  host.files.set(FakeUri.file('/ws/xor.safetensors').toString(), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const e = await host.open(URI, XOR);
  e.send(editMsg(e, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.match(String(e.posts('editRejected')[0]?.reason), /not a valid safetensors file/);
  assert.equal(e.doc.text, XOR);
  const outside = XOR.replace('"xor.safetensors"', '"../../etc/passwd.safetensors"');
  const e2 = await host.open(FakeUri.file('/ws/outside.nn.json'), outside);
  e2.send(editMsg(e2, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.match(String(e2.posts('editRejected')[0]?.reason), /points outside/);
  host.files.clear();
  e.send(editMsg(e, { kind: 'renameNode', from: 'fc1', to: 'hidden' }));
  await host.settle();
  assert.ok(e.doc.text.includes('"hidden"'), 'no sidecar yet: the rename goes through');
  assert.equal(host.files.size, 0);
});

test('openAsText and runCommand run the extension’s commands on this document', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  e.send({ type: 'openAsText' });
  e.send({ type: 'runCommand', command: 'train' });
  e.send({ type: 'runCommand', command: 'exportTypeScript' });
  await host.settle();
  assert.deepEqual(
    host.rec.executed.map((x) => [x.command, String(x.args[0])]),
    [
      ['backpropStudio.openAsText', URI.toString()],
      ['backpropStudio.train', URI.toString()],
      ['backpropStudio.exportTypeScript', URI.toString()],
    ],
  );
  assert.equal(host.applied.length, 0);
  // The command itself reopens the file in the text editor.
  host.rec.executed.length = 0;
  await host.rec.commands.get('backpropStudio.openAsText')!(URI);
  assert.deepEqual(host.rec.executed, [{ command: 'vscode.openWith', args: [URI, 'default'] }]);
});

test('New Model offers every template with its note; each writes a model that analyses with no errors', async () => {
  const host = await startHost({ workspaceFolder: FakeUri.file('/ws') });
  const LABELS = [
    'Empty model',
    'MLP classifier for 2-D points',
    'CNN for 28×28 digits',
    'Residual MLP',
    'Single neuron (micrograd)',
    'Vanishing gradients: 10-layer sigmoid MLP',
    'Deep ReLU MLP (10 layers)',
    'Deep residual MLP (10 layers)',
    'Exploding gradients: learning rate too high',
    'Dead ReLUs: negative bias',
  ];
  let items: readonly { label: string; detail?: string }[] = [];
  for (const label of LABELS) {
    host.rec.answers.quickPick = (offered) => {
      items = offered;
      return offered.find((i) => i.label === label);
    };
    host.rec.answers.saveDialog = FakeUri.file(`/ws/${label.replace(/\W+/g, '-')}.json`);
    await host.rec.commands.get('backpropStudio.newModel')!();
  }
  assert.deepEqual(
    items.map((i) => i.label),
    LABELS,
  );
  const written = [...host.files.entries()].filter(([k]) => k.endsWith('.nn.json'));
  assert.equal(written.length, LABELS.length);
  for (const [uri, bytes] of written) {
    const text = new TextDecoder().decode(bytes);
    assert.deepEqual(analyzeModel(text).errors, [], uri);
    assert.match(text, /^\{\n {2}"format": "nn-graph",\n {2}"version": 1,/);
  }
  // A template's note is the pick's detail, and the new file keeps it as its description.
  const neuron = items.find((i) => i.label === 'Single neuron (micrograd)')!;
  assert.match(neuron.detail ?? '', /^micrograd’s neuron o = tanh\(x₁w₁ \+ x₂w₂ \+ b\)/);
  const file = written.find(([k]) => k.includes('Single-neuron'))!;
  assert.equal(JSON.parse(new TextDecoder().decode(file[1])).description, neuron.detail);
  assert.equal(items.find((i) => i.label === 'Empty model')!.detail, undefined);
  assert.deepEqual(
    host.rec.executed.filter((x) => x.command === 'vscode.openWith').map((x) => x.args[1]),
    LABELS.map(() => 'backpropStudio.graphEditor'),
  );
});

test('diffs of *.nn.json in source control are text diffs: the git side is associated with the text editor', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configurationDefaults?: Record<string, Record<string, string>> } };
  const associations = pkg.contributes.configurationDefaults?.['workbench.editorAssociations'] ?? {};
  assert.equal(associations['{git,gitlens}:/**/*.nn.json'], 'default');
});
