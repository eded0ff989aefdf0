// The custom editor: *.nn.json opens in it; an edit the webview sends goes through the provider into the
// document as one undoable WorkspaceEdit; a file that is not a valid model is never rewritten.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  closeAllEditors,
  removeScratchDirs,
  openDocument,
  openInGraphEditor,
  readBytes,
  scratchDir,
  sleep,
  TEST_WEBVIEW_MESSAGE_COMMAND,
  VIEW_TYPE,
  waitFor,
  xorExample,
} from './helpers';

/** The model without its sidecar: nothing here needs trained weights. */
function writeXor(dir: string, name = 'xor.nn.json'): vscode.Uri {
  const model = JSON.parse(xorExample());
  delete model.weights;
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(model, null, 2) + '\n');
  return vscode.Uri.file(file);
}

/** Delivers `message` as the graph editor's webview on `uri` would post it (extension/testHooks.ts). */
async function fromWebview(uri: vscode.Uri, message: unknown): Promise<void> {
  const reached = await vscode.commands.executeCommand<number>(TEST_WEBVIEW_MESSAGE_COMMAND, uri, message);
  assert.ok(reached >= 1, `no graph editor on ${uri.fsPath} received the message`);
}

describe('graph editor', () => {
  afterEach(closeAllEditors);
  after(removeScratchDirs);

  it('opening a *.nn.json with the graph editor shows it in a custom editor tab', async () => {
    const uri = writeXor(scratchDir('open'));
    const tab = await openInGraphEditor(uri);
    assert.ok(tab.input instanceof vscode.TabInputCustom);
    assert.equal(tab.input.viewType, VIEW_TYPE);
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, tab.label);
  });

  it('an edit through the provider changes the document (one undo step) and undo reverts it', async () => {
    const uri = writeXor(scratchDir('edit'));
    const onDisk = readBytes(uri.fsPath);
    await openInGraphEditor(uri);
    const doc = await waitFor('the model document', () => openDocument(uri));
    const original = doc.getText();
    assert.equal(doc.isDirty, false);

    await fromWebview(uri, { type: 'edit', version: doc.version, edit: { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 16 } });
    await waitFor('the edit in the document', () => doc.getText() !== original);
    const edited = JSON.parse(doc.getText());
    assert.equal(edited.nodes.find((n: { id: string }) => n.id === 'fc1').attrs.outFeatures, 16);
    assert.equal(doc.isDirty, true);
    assert.deepEqual(readBytes(uri.fsPath), onDisk, 'an edit is not saved by itself');

    // An edit made against an older version is refused; the document stays as it is.
    const afterEdit = doc.getText();
    await fromWebview(uri, { type: 'edit', version: doc.version - 1, edit: { kind: 'setName', name: 'stale' } });
    await sleep(300);
    assert.equal(doc.getText(), afterEdit);

    // Undo goes to the active editor: still the graph editor on this document.
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(active instanceof vscode.TabInputCustom && active.uri.toString() === uri.toString(), 'the graph editor is not the active editor');
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to revert the edit', () => doc.getText() === original);
    assert.equal(doc.isDirty, false);
  });

  it('a malformed file is shown but never rewritten', async () => {
    const dir = scratchDir('malformed');
    const file = join(dir, 'broken.nn.json');
    const bytes = Buffer.from('{\n  "format": "nn-graph",\n  "version": 1,\n  "nodes": [ { "id": "x", "op": "Input",\n');
    writeFileSync(file, bytes);
    const uri = vscode.Uri.file(file);
    await openInGraphEditor(uri);
    const doc = await waitFor('the document', () => openDocument(uri));
    // An edit arriving for it is refused too.
    await fromWebview(uri, { type: 'edit', version: doc.version, edit: { kind: 'setName', name: 'fixed?' } });
    await sleep(1500);
    assert.deepEqual(readBytes(file), bytes, 'the file on disk changed');
    assert.equal(doc.getText(), bytes.toString('utf8'));
    assert.equal(doc.isDirty, false);
  });
});
