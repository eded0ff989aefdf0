// Backprop Studio's extension host entry point. Activation is lazy: VS Code activates the extension when
// a *.nn.json opens in the graph editor or one of its commands runs (both implied by `contributes`).
import * as vscode from 'vscode';
import { commandHandlers } from './commands';
import { GraphEditorProvider } from './editor/graphEditorProvider';
import { TestHooks } from './testHooks';
import { TrainingManager } from './training/manager';

export function activate(context: vscode.ExtensionContext): void {
  const training = new TrainingManager();
  // Only while VS Code runs the extension's integration tests (test/vscode/): see testHooks.ts.
  const testHooks = context.extensionMode === vscode.ExtensionMode.Test ? new TestHooks() : undefined;
  if (testHooks) context.subscriptions.push(testHooks);
  context.subscriptions.push(
    training,
    GraphEditorProvider.register(context, {
      attachView: (uri, post) => training.attachView(uri, post),
      trainingControl: (doc, action) => {
        if (action === 'start') void training.start(doc);
        else if (action === 'pause') training.pause(doc.uri);
        else if (action === 'resume') training.resume(doc.uri);
        else if (action === 'stop') training.stop(doc.uri, 'training panel');
        else void training.reset(doc);
      },
      // Closing the editor ends its run; a hidden tab keeps training.
      lastEditorClosed: (uri) => training.closed(uri),
      webviewMessageHandler: testHooks?.webviewMessageHandler,
    }),
  );
  for (const [id, handler] of Object.entries(commandHandlers(training))) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
