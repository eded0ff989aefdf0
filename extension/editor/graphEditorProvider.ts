// The custom editor for *.nn.json. This first version only shows the model: it never writes to the document.
import * as vscode from 'vscode';
import type { HostMessage, WebviewMessage } from '../../webview/protocol';
import { makeNonce, renderWebviewHtml } from './csp';

export const GRAPH_EDITOR_VIEW_TYPE = 'backpropStudio.graphEditor';

export class GraphEditorProvider implements vscode.CustomTextEditorProvider {
  static register(context: vscode.ExtensionContext): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(GRAPH_EDITOR_VIEW_TYPE, new GraphEditorProvider(context.extensionUri), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const { webview } = panel;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      title: document.uri.path.split('/').pop() ?? 'model',
    });

    const post = (): void => {
      const msg: HostMessage = { type: 'document', uri: document.uri.toString(), text: document.getText() };
      void webview.postMessage(msg);
    };
    const subscriptions = [
      webview.onDidReceiveMessage((msg: WebviewMessage) => {
        if (msg?.type === 'ready') post();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length > 0) post();
      }),
    ];
    panel.onDidDispose(() => subscriptions.forEach((d) => d.dispose()));
    post();
  }
}
