import * as vscode from 'vscode';
import { activeGraphEditorUri } from './openAsText';

/**
 * The model a command acts on: the URI a menu passed, else the active graph editor's document, else the
 * active text editor's *.nn.json.
 */
export async function targetModel(resource?: unknown): Promise<vscode.TextDocument | undefined> {
  const fromEditor = vscode.window.activeTextEditor?.document;
  const uri =
    resource instanceof vscode.Uri
      ? resource
      : (activeGraphEditorUri() ?? (fromEditor && fromEditor.uri.path.endsWith('.nn.json') ? fromEditor.uri : undefined));
  if (!uri) {
    await vscode.window.showInformationMessage('Backprop Studio: open a *.nn.json model first.');
    return undefined;
  }
  return vscode.workspace.openTextDocument(uri);
}
