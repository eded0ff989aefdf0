/**
 * A hook for the integration tests in test/vscode/ and nothing else: registered only when VS Code runs the
 * extension's tests (ExtensionMode.Test), never in normal use, and not contributed in package.json.
 *
 *   vscode.commands.executeCommand('backpropStudio.test.webviewMessage', uri, message)
 *
 * hands `message` to the message handler of every graph editor open on `uri`, as if its webview had posted
 * it (an `edit` goes through the same checks, queue and WorkspaceEdit as one from the canvas). Resolves to
 * the number of editors that received it. The webview itself is out of the extension host's reach.
 */
import * as vscode from 'vscode';

export const TEST_WEBVIEW_MESSAGE_COMMAND = 'backpropStudio.test.webviewMessage';

export class TestHooks implements vscode.Disposable {
  private readonly handlers = new Map<string, Set<(raw: unknown) => void>>();
  private readonly command = vscode.commands.registerCommand(TEST_WEBVIEW_MESSAGE_COMMAND, (uri: vscode.Uri | string, message: unknown) => {
    const set = this.handlers.get(typeof uri === 'string' ? uri : uri.toString()) ?? new Set();
    for (const handle of set) handle(message);
    return set.size;
  });

  /** GraphEditorHooks.webviewMessageHandler. */
  readonly webviewMessageHandler = (uri: vscode.Uri, handle: (raw: unknown) => void): vscode.Disposable => {
    const key = uri.toString();
    const set = this.handlers.get(key) ?? new Set();
    this.handlers.set(key, set);
    set.add(handle);
    return new vscode.Disposable(() => set.delete(handle));
  };

  dispose(): void {
    this.command.dispose();
    this.handlers.clear();
  }
}
