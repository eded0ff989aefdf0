import * as vscode from 'vscode';
import { GRAPH_EDITOR_VIEW_TYPE } from '../editor/graphEditorProvider';

export const OPEN_AS_TEXT_COMMAND = 'backpropStudio.openAsText';

/** The model in the active graph editor tab, if there is one. */
export function activeGraphEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === GRAPH_EDITOR_VIEW_TYPE ? input.uri : undefined;
}

/** Opens the model in VS Code's text editor (menus pass the model's URI; the palette uses the active tab). */
export async function openAsText(resource?: unknown): Promise<void> {
  const uri = resource instanceof vscode.Uri ? resource : activeGraphEditorUri();
  if (!uri) {
    await vscode.window.showInformationMessage('Backprop Studio: open a model in the graph editor first.');
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
}
