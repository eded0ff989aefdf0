// The custom editor for *.nn.json: a CustomTextEditorProvider, so the text document is the source of truth.
//
// The host sends the document's text to the webview (on 'ready' and after every change, whatever made it:
// a graph edit, the text editor, undo/redo, revert, a git checkout). The webview sends edits back; each is
// checked (protocol/validate.ts), turned into the new text by extension/document/graphEdits.ts, and handed
// to the ModelEditor (extension/document/modelEditor.ts), the one path that writes a model document (the
// training manager's edits go through it too): it refuses an edit made against an older version of the text
// and applies it as ONE WorkspaceEdit holding only the changed characters, so undo/redo, dirty state, save,
// revert and hot exit are VS Code's own. The edit's change event sends the new text back to every webview
// showing the document; nothing is applied twice.
import * as vscode from 'vscode';
import { analyzeModel } from '../../engine/graph/analyze';
import { analyzeText } from '../document/analysis';
import type { EditMessage, HostMessage, TrainingControlMessage } from '../../protocol/messages';
import { parseWebviewMessage } from '../../protocol/validate';
import { applyGraphEdit } from '../document/graphEdits';
import { ModelEditor } from '../document/modelEditor';
import { modelFileUri, sidecarFile, writeFileAtomically } from '../document/modelFiles';
import { copySidecarKeys, pruneSidecar } from '../document/sidecar';
import { inBackground, messageOf, reportFailure } from '../log';
import { makeNonce, renderWebviewHtml } from './csp';
import { ModelDiagnostics } from './diagnostics';
import { isReadOnlyUri } from './readOnly';
import { TrainingFeed } from '../training/trainingFeed';
import type { GpuView } from '../training/gpuView';
import { WebviewGpu } from './webviewGpu';
import { UiPrefsStore } from './uiPrefs';

export const GRAPH_EDITOR_VIEW_TYPE = 'backpropStudio.graphEditor';

/** Commands the webview may run on its document (protocol: RunCommandMessage, OpenAsTextMessage). */
const COMMAND_PREFIX = 'backpropStudio.';
const OPEN_AS_TEXT = 'backpropStudio.openAsText';

/** The training panel's buttons, as failures name them ("Backprop Studio: Reset weights failed: …"). */
export const TRAINING_ACTION_TITLES: Record<TrainingControlMessage['action'], string> = {
  start: 'Train',
  pause: 'Pause',
  resume: 'Resume',
  step: 'Step',
  stepEpoch: 'Step Epoch',
  walk: 'Walk through step',
  stop: 'Stop',
  reset: 'Reset weights',
};

/**
 * What the rest of the extension plugs into every graph editor (the training session): the provider owns the
 * webview and its messages, and hands these the document's other traffic.
 */
export interface GraphEditorHooks {
  /** A graph editor opened on `uri`: `post` reaches its webview until the returned disposable is disposed. */
  attachView?(uri: vscode.Uri, post: (msg: HostMessage) => void): vscode.Disposable;
  /**
   * The training panel's buttons (already checked). Without this hook, start/resume run Train and stop runs Stop Training.
   * `view` is the webview whose button it was: a run it starts may train on WebGPU there.
   */
  trainingControl?(document: vscode.TextDocument, action: TrainingControlMessage['action'], view: GpuView): void;
  /** A graph editor opened on `uri` as a place to train on WebGPU (for Train from a command), until disposed. */
  attachGpuView?(uri: vscode.Uri, view: GpuView): vscode.Disposable;
  /** The node whose weights the Inspector shows (already checked): the run posts `weights` for it. */
  watchNode?(document: vscode.TextDocument, nodeId: string | null): void;
  /** The training panel's speed setting (already checked). */
  trainingPace?(document: vscode.TextDocument, stepsPerSecond: number | null): void;
  /** Check Gradients from the editor: the whole model, or one node's tensors (already checked). Without it, the command runs on the whole model. */
  checkGradients?(document: vscode.TextDocument, nodeId: string | undefined): void;
  /**
   * Whether the model in `uri` is training. A rename is refused then: the run saves its weights under the
   * ids it started with, over the keys the rename copied.
   */
  isTraining?(uri: vscode.Uri): boolean;
  /**
   * A graph editor opened on `uri`: `reveal` selects and centres a node in it, until the returned disposable is
   * disposed (backpropStudio.revealNode, the Problems panel's link). The editor posts the reveal once its
   * webview has the document.
   */
  attachReveal?(uri: vscode.Uri, reveal: (nodeId: string) => void): vscode.Disposable;
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
  editors: number;
  /** Node ids this session renamed from or to: their sidecar keys are pruned when the document closes. */
  renamed: Set<string>;
}

const describeError = messageOf;

/** training.dataset.path in a model's JSON, when there is one. */
function datasetPath(model: unknown): unknown {
  const dataset = (model as { training?: { dataset?: unknown } } | undefined)?.training?.dataset;
  return dataset && typeof dataset === 'object' ? (dataset as { path?: unknown }).path : undefined;
}

export class GraphEditorProvider implements vscode.CustomTextEditorProvider {
  /** `edits` applies every edit to a model document: the one the training manager uses too. */
  static register(context: vscode.ExtensionContext, hooks: GraphEditorHooks = {}, edits = new ModelEditor()): vscode.Disposable {
    const provider = new GraphEditorProvider(context.extensionUri, hooks, edits, new UiPrefsStore(context.workspaceState));
    const diagnostics = new ModelDiagnostics();
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(GRAPH_EDITOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true }),
      diagnostics,
      vscode.workspace.onDidCloseTextDocument((d) => inBackground('Tidying the weights file of a closed model', () => provider.documentClosed(d.uri))),
    );
  }

  private readonly documents = new Map<string, DocumentState>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly hooks: GraphEditorHooks = {},
    private readonly edits = new ModelEditor(),
    /** View preferences shared by every editor of the workspace. */
    private readonly prefs = new UiPrefsStore(undefined),
  ) {}

  private state(uri: vscode.Uri): DocumentState {
    const key = uri.toString();
    let s = this.documents.get(key);
    if (!s) this.documents.set(key, (s = { editors: 0, renamed: new Set() }));
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

    // This webview as a place to train on WebGPU (webview/gpu/): what it says about its adapter, its run's messages.
    const gpu = new WebviewGpu(panel, post);
    const gpuAttachment = this.hooks.attachGpuView?.(document.uri, gpu);

    // Training updates go through a feed that waits for the webview to draw them (trainingFeed.ts).
    const feed = new TrainingFeed(post);
    let attachment: vscode.Disposable | undefined;
    const attach = (): void => {
      attachment?.dispose();
      feed.reset();
      attachment = this.hooks.attachView?.(document.uri, (m) => feed.post(m));
    };

    // A reveal waits until the webview has said 'ready' (and been sent the document). A hidden graph editor's
    // webview is unloaded (no retainContextWhenHidden) and loads again when shown: what is posted to it
    // meanwhile is lost, so it is not 'ready' again until it says so.
    let webviewReady = false;
    let pendingReveal: string | undefined;
    const reveal = (nodeId: string): void => {
      if (webviewReady) post({ type: 'revealNode', nodeId });
      else pendingReveal = nodeId;
    };

    const handleEdit = async (msg: EditMessage): Promise<void> => {
      if (readOnly) return reject(`This view of ${document.uri.scheme}:${document.uri.path.split('/').pop()} is read-only; edits are not applied.`);
      // Queued behind every other edit of this document (other panels, training); made on msg.version.
      const outcome = await this.edits.apply(
        document,
        async (text) => {
          if (disposed) return { text };
          const analysis = analyzeText(text);
          const result = applyGraphEdit(text, msg.edit, analysis);
          if (!result.ok) return { refused: result.reason };
          if (!result.changed) return { text };
          if (msg.edit.kind === 'setTraining' || msg.edit.kind === 'batch') {
            // A dataset path is refused as it is set, for the reason Train would give.
            const path = datasetPath(analyzeText(result.text).model);
            if (typeof path === 'string' && path !== datasetPath(analysis.model)) {
              const where = modelFileUri(document.uri, path, 'dataset');
              if ('error' in where) return { refused: `${where.error}; nothing was changed.` };
            }
          }
          if (result.rename && this.hooks.isTraining?.(document.uri)) {
            return {
              refused: `Renaming "${result.rename.from}" was refused: the model is training, and the run saves its weights under the ids it started with. Stop training (or let it end), then rename.`,
            };
          }
          if (result.rename) {
            const problem = await this.copySidecarKeys(document.uri, analysis.model?.weights, result.rename.from, result.rename.to);
            if (problem) return { refused: problem };
          }
          return { text: result.text };
        },
        { madeOn: msg.version },
      );
      if (!outcome.ok) reject(outcome.reason);
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
          // A page says 'ready' once per load: after the first, it was reloaded, and a WebGPU run in it is gone.
          gpu.gone('the editor running it was reloaded');
          sendDocument(true);
          post({ type: 'uiPrefs', prefs: this.prefs.get() });
          // A webview that (re)loads gets the hooks' current state again (e.g. a training run in progress).
          attach();
          webviewReady = true;
          if (pendingReveal !== undefined) post({ type: 'revealNode', nodeId: pendingReveal });
          pendingReveal = undefined;
          break;
        case 'edit':
          handleEdit(msg).catch((e) => reject(`The edit failed: ${describeError(e)}`));
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
              this.hooks.trainingControl(document, msg.action, gpu);
            } catch (e) {
              reportFailure(TRAINING_ACTION_TITLES[msg.action], e);
            }
          } else if (msg.action === 'start' || msg.action === 'resume') this.run(COMMAND_PREFIX + 'train', document.uri);
          else if (msg.action === 'stop') this.run(COMMAND_PREFIX + 'stopTraining', document.uri);
          break;
        case 'trainingPace':
          this.hooks.trainingPace?.(document, msg.stepsPerSecond);
          break;
        case 'watchNode':
          this.hooks.watchNode?.(document, msg.nodeId);
          break;
        case 'setUiPrefs':
          inBackground('Saving the view preferences', () => this.prefs.set(msg.prefs));
          break;
        case 'checkGradients':
          if (this.hooks.checkGradients) {
            try {
              this.hooks.checkGradients(document, msg.nodeId);
            } catch (e) {
              reportFailure('Check Gradients', e);
            }
          } else this.run(COMMAND_PREFIX + 'checkGradients', document.uri);
          break;
        case 'gpuAdapter':
          gpu.reported(msg);
          break;
        case 'gpuRun':
          gpu.received(msg);
          break;
        default:
          assertNever(msg);
      }
    };

    const subscriptions = [
      webview.onDidReceiveMessage(onMessage),
      this.prefs.onChange((prefs) => post({ type: 'uiPrefs', prefs })),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length > 0) sendDocument();
      }),
    ];
    if (this.hooks.webviewMessageHandler) subscriptions.push(this.hooks.webviewMessageHandler(document.uri, onMessage));
    if (this.hooks.attachReveal) subscriptions.push(this.hooks.attachReveal(document.uri, reveal));
    subscriptions.push(
      panel.onDidChangeViewState(() => {
        if (panel.visible) return;
        webviewReady = false;
        // The page is unloaded: a WebGPU run in it goes on on the CPU.
        gpu.gone('the editor running it was hidden');
      }),
    );
    attach();
    panel.onDidDispose(() => {
      gpu.gone('the editor running it was closed');
      gpuAttachment?.dispose();
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
    inBackground(command, () => vscode.commands.executeCommand(command, uri));
  }

  /**
   * Before a rename is applied: the node's tensors in the sidecar are copied to the new keys (written
   * atomically: a temporary file, then a rename). Returns why the rename must be refused, or undefined.
   * A missing sidecar is not an error: the model is not trained yet. The sidecar is the one `weights` names,
   * else NAME.safetensors beside the model (modelFiles.ts sidecarFile).
   */
  private async copySidecarKeys(model: vscode.Uri, weightsKey: unknown, from: string, to: string): Promise<string | undefined> {
    if (model.scheme === 'untitled') return undefined;
    const where = sidecarFile(model, weightsKey);
    if ('error' in where) return `Renaming "${from}" would leave its trained weights behind: ${where.error}.`;
    const weights = where.name;
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
      await writeFileAtomically(where.uri, out);
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
      if (!analysis.model) return;
      const where = sidecarFile(uri, analysis.model.weights);
      if ('error' in where) return;
      const ids = new Set(
        (analysis.model.nodes as unknown[]).flatMap((n) =>
          n && typeof n === 'object' && typeof (n as { id?: unknown }).id === 'string' ? [(n as { id: string }).id] : [],
        ),
      );
      const out = pruneSidecar(await vscode.workspace.fs.readFile(where.uri), ids, s.renamed);
      if (out) await writeFileAtomically(where.uri, out);
    } catch {
      // The model or its sidecar is gone or unreadable: leave whatever is there.
    }
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}
