// Train runs a real training worker from the extension host and writes the weights file beside the model.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { decodeSafetensors } from '../../../engine';
import { closeAllEditors, removeScratchDirs, openDocument, readBytes, scratchDir, xorExample } from './helpers';

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
    assert.ok(Object.keys(tensors).some((k) => k.startsWith('fc1')), `tensors: ${Object.keys(tensors).join(', ')}`);
    // The model already named its weights file: training does not edit it.
    assert.equal(openDocument(vscode.Uri.file(file))?.isDirty ?? false, false);
  });
});
