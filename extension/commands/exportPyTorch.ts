/**
 * Export to PyTorch from the editor: a save dialog names the folder, the engine generates model.py, the weights,
 * train.py, its data and README.md (engine/codegen), and they are written through workspace.fs. Files already in the
 * folder with other contents are replaced only when the user confirms; identical ones are left alone.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { analyzeModel, decodeSafetensors, GraphValidationError, type GraphError } from '../../engine';
import { ExportError, exportModel } from '../../engine/codegen';
import { TrainingDataError } from '../../engine/codegen/pytorch/data';
import { readIfExists, sidecarFile } from '../document/modelFiles';
import { readDatasetFiles } from '../document/datasetFiles';
import { inBackground, messageOf } from '../log';
import { targetModel } from './modelDocument';

/** The package version, set by esbuild. */
declare const __VERSION__: string | undefined;

export const EXPORT_PYTORCH_COMMAND = 'backpropStudio.exportPyTorch';

const firstProblem = (errors: readonly GraphError[]) =>
  `${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`;

const fail = (msg: string) => void vscode.window.showErrorMessage(`Backprop Studio: cannot export: ${msg}`);

/** Returns the files written (undefined when nothing was, or the user cancelled). */
export async function exportPyTorch(resource?: unknown, digitsFile = join(__dirname, 'digits.bin')): Promise<vscode.Uri[] | undefined> {
  const doc = await targetModel(resource);
  if (!doc) return undefined;
  const analysis = analyzeModel(doc.getText());
  // The same messages the editor shows on the nodes.
  if (analysis.errors.length) return void fail(firstProblem(analysis.errors));
  const sidecar = sidecarFile(doc.uri, analysis.model!.weights);
  if ('error' in sidecar) return void fail(sidecar.error);
  const modelName = doc.uri.path.split('/').pop()!;
  const base =
    modelName
      .replace(/\.nn\.json$/i, '')
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9_-]/g, '_') || 'model';
  const dir = await vscode.window.showSaveDialog({
    title: 'Export to PyTorch: the folder to write',
    defaultUri: vscode.Uri.joinPath(doc.uri, '..', `${base}-pytorch`),
    saveLabel: 'Export',
  });
  if (!dir) return undefined;

  let weights = null;
  try {
    const bytes = await readIfExists(sidecar.uri);
    if (bytes) weights = decodeSafetensors(bytes).tensors;
  } catch (e) {
    return void fail(`the weights file ${sidecar.name} cannot be read as safetensors (${messageOf(e)})`);
  }
  let files;
  try {
    const dataset = await readDatasetFiles(doc, analysis.model!.training, digitsFile);
    files = exportModel(analysis, {
      target: 'pytorch',
      weights,
      embedWeights: false,
      generator: `Backprop Studio ${typeof __VERSION__ === 'string' ? __VERSION__ : 'dev'} (Export to PyTorch)`,
      modelFileName: modelName,
      dataset,
    }).files;
  } catch (e) {
    const msg =
      e instanceof GraphValidationError
        ? firstProblem(e.errors)
        : e instanceof TrainingDataError
          ? `train.py's dataset: ${e.message}`
          : e instanceof ExportError
            ? e.message
            : messageOf(e);
    return void fail(msg);
  }

  const encoder = new TextEncoder();
  const planned = files.map((f) => ({
    path: f.path,
    uri: vscode.Uri.joinPath(dir, f.path),
    bytes: typeof f.contents === 'string' ? encoder.encode(f.contents) : f.contents,
  }));
  const changed: typeof planned = [];
  const replaced: string[] = [];
  for (const f of planned) {
    const have = await readIfExists(f.uri).catch(() => null);
    if (have && sameBytes(have, f.bytes)) continue;
    changed.push(f);
    if (have) replaced.push(f.path);
  }
  if (replaced.length) {
    const list = replaced.length > 4 ? `${replaced.slice(0, 4).join(', ')} and ${replaced.length - 4} more` : replaced.join(', ');
    const answer = await vscode.window.showWarningMessage(
      `${dir.path.split('/').pop()} already holds ${list} with other contents. Replace ${replaced.length === 1 ? 'it' : 'them'}?`,
      { modal: true },
      'Replace',
    );
    if (answer !== 'Replace') return undefined;
  }
  const written: vscode.Uri[] = [];
  for (const f of changed) {
    await vscode.workspace.fs.writeFile(f.uri, f.bytes);
    written.push(f.uri);
  }
  const readme = vscode.Uri.joinPath(dir, 'README.md');
  // Not awaited: a notification's promise settles only when the user acts on it.
  inBackground('Opening the exported README', async () => {
    if (
      (await vscode.window.showInformationMessage(
        `Backprop Studio: exported to ${dir.path.split('/').pop()}: run train.py with python3 or torchrun (see README.md).`,
        'Open README',
      )) === 'Open README'
    )
      await vscode.window.showTextDocument(readme);
  });
  return written;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
