// Train runs a real training worker from the extension host and writes the weights file beside the model.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { decodeSafetensors } from '../../../engine';
import { closeAllEditors, removeScratchDirs, openDocument, readBytes, scratchDir, stub, xorExample } from './helpers';

describe('training', () => {
  afterEach(closeAllEditors);
  after(removeScratchDirs);

  it('Train on a tiny model finishes and writes the weights file', async function () {
    this.timeout(120_000);
    const dir = scratchDir('train');
    const model = JSON.parse(xorExample());
    model.weights = 'tiny.safetensors';
    model.training = { ...model.training, epochs: 3, batchSize: 16, dataset: { source: 'xor', size: 64, noise: 0 } };
    const file = join(dir, 'tiny.nn.json');
    writeFileSync(file, JSON.stringify(model, null, 2) + '\n');

    const result = await vscode.commands.executeCommand<{ status: string; message?: string } | undefined>('backpropStudio.train', vscode.Uri.file(file));
    assert.ok(result, 'Train returned nothing (did it refuse to start?)');
    assert.equal(result.status, 'completed', result.message);
    const sidecar = join(dir, 'tiny.safetensors');
    assert.ok(existsSync(sidecar), `${sidecar} was not written`);
    const tensors = decodeSafetensors(readBytes(sidecar)).tensors;
    assert.ok(
      Object.keys(tensors).some((k) => k.startsWith('fc1')),
      `tensors: ${Object.keys(tensors).join(', ')}`,
    );
    // The model already named its weights file: training does not edit it.
    assert.equal(openDocument(vscode.Uri.file(file))?.isDirty ?? false, false);
  });

  it('a model with no "weights" key trains into NAME.safetensors beside it and is not edited', async function () {
    this.timeout(120_000);
    const dir = scratchDir('train-default');
    const model = JSON.parse(xorExample());
    delete model.weights;
    model.training = { ...model.training, epochs: 2, batchSize: 16, dataset: { source: 'xor', size: 64, noise: 0 } };
    const file = join(dir, 'plain.nn.json');
    const text = JSON.stringify(model, null, 2) + '\n';
    writeFileSync(file, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const result = await vscode.commands.executeCommand<{ status: string; message?: string } | undefined>('backpropStudio.train', doc.uri);
    assert.equal(result?.status, 'completed', result?.message);
    assert.ok(existsSync(join(dir, 'plain.safetensors')), 'the weights are beside the model, by its name');
    assert.equal(doc.isDirty, false);
    assert.equal(doc.getText(), text);
  });

  it('a weights file reached through a symbolic link that leads out of the folder is refused, and nothing is written there', async function () {
    this.timeout(60_000);
    const dir = scratchDir('train-link');
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'bps-outside-')));
    try {
      symlinkSync(outside, join(dir, 'link'));
      const model = JSON.parse(xorExample());
      model.weights = 'link/w.safetensors';
      const file = join(dir, 'linked.nn.json');
      writeFileSync(file, JSON.stringify(model, null, 2) + '\n');
      const shown: string[] = [];
      const restore = stub(
        vscode.window,
        'showErrorMessage',
        (async (m: string) => (shown.push(m), undefined)) as unknown as typeof vscode.window.showErrorMessage,
      );
      try {
        const result = await vscode.commands.executeCommand('backpropStudio.train', vscode.Uri.file(file));
        assert.equal(result, undefined);
      } finally {
        restore();
      }
      assert.equal(shown.length, 1, shown.join('\n'));
      assert.match(shown[0]!, /^Backprop Studio: cannot train: "weights" \("link\/w.safetensors"\) leads outside .* through a symbolic link/);
      assert.equal(existsSync(join(outside, 'w.safetensors')), false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
