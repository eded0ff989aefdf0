// The custom editor for *.nn.json: a CustomTextEditorProvider, so the text document is the source of truth.
//
// The host sends the document's text to the webview (on 'ready' and after every change, whatever made it:
// a graph edit, the text editor, undo/redo, revert, a git checkout). The webview sends edits back; each is
// checked (protocol/validate.ts), refused when made against an older version of the text, turned into the
// new text by extension/document/graphEdits.ts, and applied as ONE WorkspaceEdit holding only the changed
// characters, so undo/redo, dirty state, save, revert and hot exit are VS Code's own. The edit's change
// event sends the new text back to every webview showing the document; nothing is applied twice.
import * as vscode from 'vscode';
import { analyzeModel } from '../../engine/graph/analyze';
import { analyzeText } from '../document/analysis';
import type { EditMessage, HostMessage, TrainingControlMessage } from '../../protocol/messages';
import { parseWebviewMessage } from '../../protocol/validate';
import { applyGraphEdit } from '../document/graphEdits';
import { copySidecarKeys, pruneSidecar, resolveSidecarPath } from '../document/sidecar';
import { diffTexts } from '../document/textDiff';
import { makeNonce, renderWebviewHtml } from './csp';
import { ModelDiagnostics } from './diagnostics';
import { isReadOnlyUri } from './readOnly';
import { TrainingFeed } from '../training/trainingFeed';

export const GRAPH_EDITOR_VIEW_TYPE = 'backpropStudio.graphEditor';

/** Commands the webview may run on its document (protocol: RunCommandMessage, OpenAsTextMessage). */
const COMMAND_PREFIX = 'backpropStudio.';
const OPEN_AS_TEXT = 'backpropStudio.openAsText';

/**
 * What the rest of the extension plugs into every graph editor (the training session): the provider owns the
 * webview and its messages, and hands these the document's other traffic.
 */
export interface GraphEditorHooks {
  /** A graph editor opened on `uri`: `post` reaches its webview until the returned disposable is disposed. */
  attachView?(uri: vscode.Uri, post: (msg: HostMessage) => void): vscode.Disposable;
  /** The training panel's buttons (already checked). Without this hook, start/resume run Train and stop runs Stop Training. */
  trainingControl?(document: vscode.TextDocument, action: TrainingControlMessage['action']): void;
  /** The last graph editor on `uri` closed (a hidden tab is not closed). */
  lastEditorClosed?(uri: vscode.Uri): void;
  /**
   * Integration tests only (set in ExtensionMode.Test, see extension/testHooks.ts): each editor's handler of
   * webview messages, so that a test can deliver one exactly as the webview would.
   */
  webviewMessageHandler?(uri: vscode.Uri, handle: (raw: unknown) => void): vscode.Disposable;
}

/** State shared by every graph editor open on one document. */
interface DocumentState {
  /** Edits are applied one at a time, in arrival order, whichever panel sent them. */
  queue: Promise<void>;
  editors: number;
  /** Node ids this session renamed from or to: their sidecar keys are pruned when the document closes. */
  renamed: Set<string>;
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class GraphEditorProvider implements vscode.CustomTextEditorProvider {
  static register(context: vscode.ExtensionContext, hooks: GraphEditorHooks = {}): vscode.Disposable {
    const provider = new GraphEditorProvider(context.extensionUri, hooks);
    const diagnostics = new ModelDiagnostics();
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(GRAPH_EDITOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true }),
      diagnostics,
      vscode.workspace.onDidCloseTextDocument((d) => void provider.documentClosed(d.uri)),
    );
  }

  private readonly documents = new Map<string, DocumentState>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly hooks: GraphEditorHooks = {},
  ) {}

  private state(uri: vscode.Uri): DocumentState {
    const key = uri.toString();
    let s = this.documents.get(key);
    if (!s) this.documents.set(key, (s = { queue: Promise.resolve(), editors: 0, renamed: new Set() }));
    return s;
  }

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
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.css')).toString(),
      title: document.uri.path.split('/').pop() ?? 'model',
    });

    const state = this.state(document.uri);
    state.editors++;
    const readOnly = isReadOnlyUri(document.uri);
    let disposed = false;
    let lastSentVersion: number | undefined;

    const post = (msg: HostMessage): void => {
      if (disposed) return;
      // postMessage rejects when the panel is gone; there is no one to tell.
      Promise.resolve(webview.postMessage(msg)).catch(() => undefined);
    };
    const sendDocument = (force = false): void => {
      if (!force && lastSentVersion === document.version) return;
      lastSentVersion = document.version;
      post({ type: 'document', uri: document.uri.toString(), text: document.getText(), version: document.version, readOnly });
    };
    const reject = (reason: string): void => {
      post({ type: 'editRejected', reason });
      // The webview may have shown the edit already: the current text puts it back in step.
      sendDocument(true);
    };

    // Training updates go through a feed that waits for the webview to draw them (trainingFeed.ts).
    const feed = new TrainingFeed(post);
    let attachment: vscode.Disposable | undefined;
    const attach = (): void => {
      attachment?.dispose();
      feed.reset();
      attachment = this.hooks.attachView?.(document.uri, (m) => feed.post(m));
    };

    const handleEdit = async (msg: EditMessage): Promise<void> => {
      if (readOnly) return reject(`This view of ${document.uri.scheme}:${document.uri.path.split('/').pop()} is read-only; edits are not applied.`);
      if (msg.version !== document.version) {
        return reject(`The file changed before this edit arrived (edit made on version ${msg.version}, the file is at version ${document.version}); nothing was changed.`);
      }
      const text = document.getText();
      const analysis = analyzeText(text);
      const result = applyGraphEdit(text, msg.edit, analysis);
      if (!result.ok) return reject(result.reason);
      if (!result.changed) return;
      if (result.rename) {
        const weights = analysis.model?.weights;
        if (typeof weights === 'string' && weights.length > 0) {
          const problem = await this.copySidecarKeys(document.uri, weights, result.rename.from, result.rename.to);
          if (problem) return reject(problem);
          if (document.version !== msg.version) return reject('The file changed while the weights file was being updated; nothing was changed.');
        }
      }
      const edit = new vscode.WorkspaceEdit();
      for (const e of diffTexts(text, result.text)) {
        edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.content);
      }
      const applied = await vscode.workspace.applyEdit(edit);
      if (!applied) reject('VS Code did not apply the edit (is the file read-only?).');
    };

    const onMessage = (raw: unknown): void => {
      const parsed = parseWebviewMessage(raw);
      if (!parsed.ok) {
        post({ type: 'editRejected', reason: `Backprop Studio ignored a malformed message from the editor: ${parsed.error}` });
        return;
      }
      const msg = parsed.msg;
      switch (msg.type) {
        case 'ready':
          sendDocument(true);
          // A webview that (re)loads gets the hooks' current state again (e.g. a training run in progress).
          attach();
          break;
        case 'edit':
          state.queue = state.queue.then(() => (disposed ? undefined : handleEdit(msg))).catch((e) => reject(`The edit failed: ${describeError(e)}`));
          break;
        case 'openAsText':
          this.run(OPEN_AS_TEXT, document.uri);
          break;
        case 'trainingAck':
          feed.ack();
          break;
        case 'runCommand':
          this.run(COMMAND_PREFIX + msg.command, document.uri);
          break;
        case 'trainingControl':
          if (this.hooks.trainingControl) {
            try {
              this.hooks.trainingControl(document, msg.action);
            } catch (e) {
              void vscode.window.showErrorMessage(`Backprop Studio: ${msg.action} failed: ${describeError(e)}`);
            }
          } else if (msg.action === 'start' || msg.action === 'resume') this.run(COMMAND_PREFIX + 'train', document.uri);
          else if (msg.action === 'stop') this.run(COMMAND_PREFIX + 'stopTraining', document.uri);
          break;
        default:
          assertNever(msg);
      }
    };

    const subscriptions = [
      webview.onDidReceiveMessage(onMessage),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length > 0) sendDocument();
      }),
    ];
    if (this.hooks.webviewMessageHandler) subscriptions.push(this.hooks.webviewMessageHandler(document.uri, onMessage));
    attach();
    panel.onDidDispose(() => {
      disposed = true;
      attachment?.dispose();
      feed.dispose();
      state.editors--;
      subscriptions.forEach((d) => d.dispose());
      if (state.editors === 0) this.hooks.lastEditorClosed?.(document.uri);
    });
    sendDocument(true);
  }

  private run(command: string, uri: vscode.Uri): void {
    Promise.resolve(vscode.commands.executeCommand(command, uri)).catch((e) => {
      void vscode.window.showErrorMessage(`Backprop Studio: ${command} failed: ${describeError(e)}`);
    });
  }

  /** The sidecar's URI, or why there is none the editor may touch. */
  private sidecarUri(model: vscode.Uri, weights: string): { uri: vscode.Uri } | { error: string } {
    const root = vscode.workspace.getWorkspaceFolder?.(model)?.uri.path ?? model.path.slice(0, model.path.lastIndexOf('/'));
    const r = resolveSidecarPath(model.path, weights, root);
    return 'error' in r ? r : { uri: model.with({ path: r.path }) };
  }

  /**
   * Before a rename is applied: the node's tensors in the sidecar are copied to the new keys (written
   * atomically: a temporary file, then a rename). Returns why the rename must be refused, or undefined.
   * A missing sidecar is not an error: the model is not trained yet.
   */
  private async copySidecarKeys(model: vscode.Uri, weights: string, from: string, to: string): Promise<string | undefined> {
    if (model.scheme === 'untitled') return undefined;
    const where = this.sidecarUri(model, weights);
    if ('error' in where) return `Renaming "${from}" would leave its trained weights behind: ${where.error}.`;
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(where.uri);
    } catch (e) {
      if ((e as { code?: unknown })?.code === 'FileNotFound') return undefined;
      return `Renaming "${from}" was refused: the weights file ${weights} cannot be read (${describeError(e)}).`;
    }
    let out: Uint8Array | null;
    try {
      out = copySidecarKeys(bytes, from, to);
    } catch (e) {
      return `Renaming "${from}" was refused: the weights file ${weights} is not a valid safetensors file (${describeError(e)}).`;
    }
    if (!out) return undefined;
    try {
      await writeAtomically(where.uri, out);
    } catch (e) {
      return `Renaming "${from}" was refused: the weights file ${weights} cannot be written (${describeError(e)}).`;
    }
    const s = this.state(model);
    s.renamed.add(from);
    s.renamed.add(to);
    return undefined;
  }

  /**
   * When a document closes its undo history goes with it: the sidecar keys copied for renames that the
   * saved file does not use (the old ids after a saved rename, the new ids after an undone or unsaved one)
   * are removed.
   */
  async documentClosed(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    const s = this.documents.get(key);
    if (!s || s.editors > 0) return;
    this.documents.delete(key);
    if (s.renamed.size === 0) return;
    try {
      const analysis = analyzeModel(await vscode.workspace.fs.readFile(uri));
      const weights = analysis.model?.weights;
      if (!analysis.model || typeof weights !== 'string') return;
      const where = this.sidecarUri(uri, weights);
      if ('error' in where) return;
      const ids = new Set((analysis.model.nodes as unknown[]).flatMap((n) => (n && typeof n === 'object' && typeof (n as { id?: unknown }).id === 'string' ? [(n as { id: string }).id] : [])));
      const out = pruneSidecar(await vscode.workspace.fs.readFile(where.uri), ids, s.renamed);
      if (out) await writeAtomically(where.uri, out);
    } catch {
      // The model or its sidecar is gone or unreadable: leave whatever is there.
    }
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}

async function writeAtomically(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const tmp = uri.with({ path: `${uri.path}.${makeNonce().slice(0, 8)}.tmp` });
  await vscode.workspace.fs.writeFile(tmp, bytes);
  try {
    await vscode.workspace.fs.rename(tmp, uri, { overwrite: true });
  } catch (e) {
    await Promise.resolve(vscode.workspace.fs.delete(tmp)).catch(() => undefined);
    throw e;
  }
}
