// The extension loads in the real extension host, activates, registers what it contributes, and New Model
// writes a valid model and opens it in the graph editor.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { analyzeModel } from '../../../engine';
import { closeAllEditors, removeScratchDirs, extension, graphEditorTab, scratchDir, stubQuickPick, stubSaveDialog, waitFor } from './helpers';

describe('activation', () => {
  afterEach(closeAllEditors);
  after(removeScratchDirs);

  it('the extension is present and activates', async () => {
    const ext = extension();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('every command contributed in package.json is registered', async () => {
    const contributed = (extension().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 5, `contributed: ${contributed.join(', ')}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c)),
      [],
    );
  });

  it('the graph editor is contributed for *.nn.json', () => {
    const editors = extension().packageJSON.contributes.customEditors as { viewType: string; selector: { filenamePattern: string }[] }[];
    const editor = editors.find((e) => e.viewType === 'backpropStudio.graphEditor');
    assert.ok(editor);
    assert.deepEqual(
      editor.selector.map((s) => s.filenamePattern),
      ['*.nn.json'],
    );
  });

  it('New Model writes a valid model from the chosen template and opens it in the graph editor', async () => {
    const dir = scratchDir('new-model');
    let offered: string[] = [];
    const restore = [
      stubQuickPick((items) => {
        offered = items.map((i) => i.label);
        return items.find((i) => /MLP/.test(i.label));
      }),
      // No extension: the command adds .nn.json.
      stubSaveDialog(vscode.Uri.file(join(dir, 'moons'))),
    ];
    let result: unknown;
    try {
      result = await vscode.commands.executeCommand('backpropStudio.newModel');
    } finally {
      restore.forEach((r) => r());
    }
    assert.ok(offered.includes('Empty model'), `offered: ${offered.join(', ')}`);
    const file = join(dir, 'moons.nn.json');
    assert.equal((result as vscode.Uri | undefined)?.fsPath, file);
    assert.ok(existsSync(file), `${file} was not written`);
    const analysis = analyzeModel(readFileSync(file, 'utf8'));
    assert.deepEqual(
      analysis.errors.map((e) => e.message),
      [],
    );
    assert.ok(analysis.model, 'the file is not a model');
    await waitFor('the new model in the graph editor', () => graphEditorTab(vscode.Uri.file(file)));
  });
});
