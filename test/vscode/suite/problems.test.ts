// The Problems panel's link from a diagnostic to its node: the diagnostic's code carries a `command:` URI of
// backpropStudio.revealNode. The suite cannot click the panel (it runs in the extension host), so it follows
// the link the way the panel's link does (VS Code's opener: parse the href, run the command with the
// URI-decoded JSON arguments) and checks that the graph editor comes forward on the model.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, extension, graphEditorTab, removeScratchDirs, scratchDir, VIEW_TYPE, waitFor, xorExample } from './helpers';

/** XOR with fc2's input edge removed, in a file whose name needs encoding: "fc2 is not connected". */
function writeUnwired(dir: string): vscode.Uri {
  const model = JSON.parse(xorExample());
  delete model.weights;
  model.edges = model.edges.filter((e: { from: string; to: string }) => !(e.from === 'act1' && e.to === 'fc2'));
  const file = join(dir, 'not wired #1.nn.json');
  writeFileSync(file, JSON.stringify(model, null, 2) + '\n');
  return vscode.Uri.file(file);
}

/** The diagnostic's code as a link: the value shown and the command URI behind it. */
async function linkOf(uri: vscode.Uri, code: string): Promise<{ value: string; target: vscode.Uri }> {
  const d = await waitFor(`a ${code} diagnostic on ${uri.fsPath}`, () =>
    vscode.languages.getDiagnostics(uri).find((x) => typeof x.code === 'object' && x.code.value === code),
  );
  return d.code as { value: string; target: vscode.Uri };
}

/** What the Problems panel does with a click on the link (its Link widget opens the href, commands allowed). */
async function follow(target: vscode.Uri): Promise<unknown> {
  const href = vscode.Uri.parse(target.toString(true));
  assert.equal(href.scheme, 'command');
  let args: unknown;
  try {
    args = JSON.parse(decodeURIComponent(href.query));
  } catch {
    args = JSON.parse(href.query);
  }
  return vscode.commands.executeCommand(href.path, ...(Array.isArray(args) ? args : [args]));
}

const activeTab = () => vscode.window.tabGroups.activeTabGroup.activeTab;
const graphTabs = (uri: vscode.Uri) =>
  vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE && t.input.uri.toString() === uri.toString());

describe('Problems panel', () => {
  before(() => extension().activate());
  afterEach(closeAllEditors);
  after(removeScratchDirs);

  it("a node's diagnostic links to backpropStudio.revealNode, which opens the graph editor on the model", async () => {
    const uri = writeUnwired(scratchDir('problems'));
    await vscode.window.showTextDocument(uri);
    const link = await linkOf(uri, 'missing-input');
    assert.equal(link.target.scheme, 'command');
    assert.equal(link.target.path, 'backpropStudio.revealNode');
    const told = await follow(link.target);
    assert.equal(told, 1, 'one graph editor was told to reveal the node');
    const tab = await waitFor('the graph editor to be the active tab', () => {
      const t = activeTab();
      return t?.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE && t.input.uri.toString() === uri.toString() && t;
    });
    assert.ok(tab);
  });

  it('a graph editor already open in another group is brought forward, not opened again', async () => {
    const uri = writeUnwired(scratchDir('problems-open'));
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE, vscode.ViewColumn.One);
    await waitFor('the graph editor', () => graphEditorTab(uri));
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Two });
    assert.equal(vscode.window.tabGroups.activeTabGroup.viewColumn, vscode.ViewColumn.Two);
    assert.equal(await follow((await linkOf(uri, 'missing-input')).target), 1);
    await waitFor('group one to be active again', () => vscode.window.tabGroups.activeTabGroup.viewColumn === vscode.ViewColumn.One);
    assert.equal(graphTabs(uri).length, 1, 'no second graph editor');
  });
});
