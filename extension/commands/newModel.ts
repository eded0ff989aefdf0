import * as vscode from 'vscode';
import { GRAPH_EDITOR_VIEW_TYPE } from '../editor/graphEditorProvider';
import { formatModel } from '../format';
import { modelNameFromPath, withModelExtension } from '../paths';
import { templates, type ModelTemplate } from '../templates';

export const NEW_MODEL_COMMAND = 'backpropStudio.newModel';

interface TemplateItem extends vscode.QuickPickItem {
  template: ModelTemplate;
}

/** Picks a template, asks where to save it, writes the file and opens it in the graph editor. */
export async function newModel(): Promise<vscode.Uri | undefined> {
  // The note (what the model shows, what to look for) goes under the label; the file keeps it as its description.
  const items: TemplateItem[] = templates.map((template) => ({
    label: template.label,
    description: template.description,
    ...(template.model.description ? { detail: template.model.description } : {}),
    template,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'New Model', placeHolder: 'Start from a template' });
  if (!picked) return undefined;

  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultName = picked.template.id === 'empty' ? 'model.nn.json' : `${picked.template.id}.nn.json`;
  const chosen = await vscode.window.showSaveDialog({
    title: 'New Model',
    saveLabel: 'Create',
    defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined,
    filters: { 'Backprop Studio model (*.nn.json)': ['json'] },
  });
  if (!chosen) return undefined;

  const uri = chosen.with({ path: withModelExtension(chosen.path) });
  const model = { ...picked.template.model, name: picked.template.model.name || modelNameFromPath(uri.path) };
  try {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(formatModel(model)));
  } catch (err) {
    await vscode.window.showErrorMessage(`Backprop Studio: could not write ${uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  await vscode.commands.executeCommand('vscode.openWith', uri, GRAPH_EDITOR_VIEW_TYPE);
  return uri;
}
