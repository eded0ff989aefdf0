/**
 * Export to TypeScript from the editor: pick a target, choose where to save (VS Code's save dialog, so
 * nothing is overwritten silently), write the module and what goes beside it through workspace.fs.
 * The code generation is the engine's (engine/codegen), the same the command line uses.
 */
import * as vscode from 'vscode';
import { analyzeModel, decodeSafetensors, GraphValidationError, type GraphError } from '../../engine';
import { defaultEmbedWeights, ExportError, exportModel, type ExportTarget } from '../../engine/codegen';
import { readIfExists as readModelFile, sidecarFile } from '../document/modelFiles';
import { inBackground, messageOf } from '../log';
import { targetModel } from './modelDocument';

/** The package version, set by esbuild. */
declare const __VERSION__: string | undefined;

export const EXPORT_TYPESCRIPT_COMMAND = 'backpropStudio.exportTypeScript';

const firstProblem = (errors: readonly GraphError[]) =>
  `${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`;

async function readIfExists(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

export async function exportTypeScript(resource?: unknown): Promise<vscode.Uri[] | undefined> {
  const doc = await targetModel(resource);
  if (!doc) return undefined;
  const analysis = analyzeModel(doc.getText());
  if (analysis.errors.length) {
    // The same messages the editor shows on the nodes.
    void vscode.window.showErrorMessage(`Backprop Studio: cannot export: ${firstProblem(analysis.errors)}`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    [
      {
        label: 'Engine module',
        description: 'createModel(), forward() and train() with the Backprop Studio engine (written beside it)',
        target: 'engine' as ExportTarget,
      },
      { label: 'Standalone inference', description: 'predict() over Float32Arrays, no dependencies', target: 'standalone' as ExportTarget },
    ],
    { title: 'Export to TypeScript', placeHolder: 'What should the exported module do?' },
  );
  if (!pick) return undefined;
  // The model's weights: the file `weights` names, else NAME.safetensors beside it; inside the workspace.
  const sidecar = sidecarFile(doc.uri, analysis.model!.weights);
  if ('error' in sidecar) {
    void vscode.window.showErrorMessage(`Backprop Studio: cannot export: ${sidecar.error}`);
    return undefined;
  }
  const modelDir = vscode.Uri.joinPath(doc.uri, '..');
  const base =
    doc.uri.path
      .split('/')
      .pop()!
      .replace(/\.nn\.json$/i, '')
      .replace(/[^A-Za-z0-9_-]/g, '_') || 'model';
  const target = await vscode.window.showSaveDialog({
    title: 'Export to TypeScript',
    defaultUri: vscode.Uri.joinPath(modelDir, `${base}.ts`),
    filters: { TypeScript: ['ts', 'mts'] },
  });
  if (!target) return undefined;

  let weights = null;
  try {
    const bytes = await readModelFile(sidecar.uri);
    if (bytes) weights = decodeSafetensors(bytes).tensors;
  } catch (e) {
    void vscode.window.showErrorMessage(`Backprop Studio: cannot export: the weights file ${sidecar.name} cannot be read as safetensors (${messageOf(e)})`);
    return undefined;
  }
  let runtime;
  if (pick.target === 'engine') {
    // The engine runtime ships in the extension's dist folder, beside this bundle.
    const dist = vscode.Uri.file(__dirname);
    const [js, dts] = await Promise.all([readIfExists(vscode.Uri.joinPath(dist, 'engine.mjs')), readIfExists(vscode.Uri.joinPath(dist, 'engine.d.mts'))]);
    if (!js || !dts) {
      void vscode.window.showErrorMessage('Backprop Studio: the engine runtime is missing from the extension (dist/engine.mjs).');
      return undefined;
    }
    runtime = { module: new TextDecoder().decode(js), declarations: new TextDecoder().decode(dts) };
  }
  const fileName = target.path.split('/').pop()!;
  let files;
  try {
    files = exportModel(analysis, {
      target: pick.target,
      weights,
      embedWeights: defaultEmbedWeights(analysis),
      generator: `Backprop Studio ${typeof __VERSION__ === 'string' ? __VERSION__ : 'dev'} (Export to TypeScript)`,
      fileName,
      runtime,
    }).files;
  } catch (e) {
    const msg = e instanceof GraphValidationError ? firstProblem(e.errors) : e instanceof ExportError ? e.message : String(e);
    void vscode.window.showErrorMessage(`Backprop Studio: cannot export: ${msg}`);
    return undefined;
  }

  const outDir = vscode.Uri.joinPath(target, '..');
  const written: vscode.Uri[] = [];
  const encoder = new TextEncoder();
  for (const f of files) {
    const uri = f.role === 'module' ? target : vscode.Uri.joinPath(outDir, f.path);
    const bytes = typeof f.contents === 'string' ? encoder.encode(f.contents) : f.contents;
    // The save dialog confirmed the module; a different file already beside it is replaced only if the user says so.
    if (f.role !== 'module') {
      const have = await readIfExists(uri);
      if (have && !sameBytes(have, bytes)) {
        const answer = await vscode.window.showWarningMessage(`${f.path} already exists beside the export. Replace it?`, { modal: true }, 'Replace');
        if (answer !== 'Replace') continue;
      } else if (have) continue;
    }
    await vscode.workspace.fs.writeFile(uri, bytes);
    written.push(uri);
  }
  // Not awaited: a notification's promise settles only when the user acts on it.
  inBackground('Opening the exported module', async () => {
    if ((await vscode.window.showInformationMessage(`Backprop Studio: exported ${fileName}.`, 'Open')) === 'Open') await vscode.window.showTextDocument(target);
  });
  return written;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
