/**
 * Export to ONNX from the editor: the model's inference graph with its weights as one .onnx file, written where
 * VS Code's save dialog says (the dialog asks before replacing a file). The lowering is the engine's and the
 * encoding common/onnx's, the same the command line uses (`backprop-studio export --target onnx`).
 */
import * as vscode from 'vscode';
import { analyzeModel, decodeSafetensors, GraphValidationError, type GraphError } from '../../engine';
import { ExportError } from '../../engine/codegen';
import { exportOnnx } from '../../common/onnx/export';
import { readIfExists, sidecarFile } from '../document/modelFiles';
import { messageOf } from '../log';
import { targetModel } from './modelDocument';

/** The package version, set by esbuild. */
declare const __VERSION__: string | undefined;

export const EXPORT_ONNX_COMMAND = 'backpropStudio.exportOnnx';

const firstProblem = (errors: readonly GraphError[]) =>
  `${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`;

const refuse = (why: string) => void vscode.window.showErrorMessage(`Backprop Studio: cannot export to ONNX: ${why}`);

export async function exportOnnxCommand(resource?: unknown): Promise<vscode.Uri[] | undefined> {
  const doc = await targetModel(resource);
  if (!doc) return undefined;
  const analysis = analyzeModel(doc.getText());
  // The same messages the editor shows on the nodes.
  if (analysis.errors.length) return refuse(firstProblem(analysis.errors));
  // The model's weights: the file `weights` names, else NAME.safetensors beside it; inside the workspace.
  const sidecar = sidecarFile(doc.uri, analysis.model!.weights);
  if ('error' in sidecar) return refuse(sidecar.error);
  const base =
    doc.uri.path
      .split('/')
      .pop()!
      .replace(/\.nn\.json$/i, '') || 'model';
  const target = await vscode.window.showSaveDialog({
    title: 'Export to ONNX',
    defaultUri: vscode.Uri.joinPath(doc.uri, '..', `${base}.onnx`),
    filters: { ONNX: ['onnx'] },
  });
  if (!target) return undefined;

  let weights = null;
  try {
    const bytes = await readIfExists(sidecar.uri);
    if (bytes) weights = decodeSafetensors(bytes).tensors;
  } catch (e) {
    return refuse(`the weights file ${sidecar.name} cannot be read as safetensors (${messageOf(e)})`);
  }
  const version = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(analysis, { weights, generator: `Backprop Studio ${version} (Export to ONNX)`, version });
  } catch (e) {
    if (e instanceof GraphValidationError) return refuse(firstProblem(e.errors));
    if (e instanceof ExportError) return refuse(e.message);
    throw e;
  }
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`Backprop Studio: exported ${target.path.split('/').pop()} (ONNX opset 17).`);
  return [target];
}
