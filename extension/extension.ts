// Backprop Studio's extension host entry point. Activation is lazy: VS Code activates the extension when
// a *.nn.json opens in the graph editor or one of its commands runs (both implied by `contributes`).
import * as vscode from 'vscode';
import { commandHandlers } from './commands';
import { GraphEditorProvider } from './editor/graphEditorProvider';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(GraphEditorProvider.register(context));
  for (const [id, handler] of Object.entries(commandHandlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
