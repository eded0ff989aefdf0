// The engine's validation errors as VS Code diagnostics on every open *.nn.json, whichever editor shows it
// (the graph editor or the text editor): updated on every change, removed when the file closes.
import * as vscode from 'vscode';
import { revealNodeTarget } from '../commands/revealNodeLink';
import { modelDiagnostics } from '../document/diagnostics';
import { MODEL_SUFFIX } from '../paths';
import { isReadOnlyUri } from './readOnly';

export const DIAGNOSTIC_SOURCE = 'Backprop Studio';

/** Characters from which a change is analysed after a pause rather than at once. */
const LARGE_FILE = 200_000;
const LARGE_FILE_DELAY_MS = 250;

export function isModelDocument(document: vscode.TextDocument): boolean {
  return document.uri.path.toLowerCase().endsWith(MODEL_SUFFIX) && !isReadOnlyUri(document.uri);
}

export class ModelDiagnostics implements vscode.Disposable {
  private readonly collection: vscode.DiagnosticCollection;
  private readonly subscriptions: vscode.Disposable[];
  /** The version last analysed, per document: a change event without a new version costs nothing. */
  private readonly analysed = new Map<string, number>();
  /** Large files are analysed once typing pauses, not on every keystroke. */
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    this.collection = vscode.languages.createDiagnosticCollection('backpropStudio');
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
    ];
    for (const d of vscode.workspace.textDocuments ?? []) this.update(d);
  }

  private changed(document: vscode.TextDocument): void {
    if (!isModelDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    if (document.getText().length < LARGE_FILE) return this.update(document);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.update(document);
      }, LARGE_FILE_DELAY_MS),
    );
  }

  update(document: vscode.TextDocument): void {
    try {
      this.publish(document);
    } catch (e) {
      // The engine reports problems as errors, it does not throw; if it ever does, the editor carries on.
      console.error(`Backprop Studio: could not check ${document.uri.toString()}:`, e);
    }
  }

  private publish(document: vscode.TextDocument): void {
    if (!isModelDocument(document)) return;
    const key = document.uri.toString();
    if (this.analysed.get(key) === document.version) return;
    this.analysed.set(key, document.version);
    const diagnostics = modelDiagnostics(document.getText()).map((s) => {
      const range = new vscode.Range(document.positionAt(s.offset), document.positionAt(s.offset + s.length));
      const d = new vscode.Diagnostic(range, s.message, vscode.DiagnosticSeverity.Error);
      d.source = DIAGNOSTIC_SOURCE;
      // A code with a target is a link in the Problems panel: clicking it runs backpropStudio.revealNode,
      // which shows the node in the graph editor (a click on the row itself opens the graph editor, which
      // cannot be told where: custom editors get no selection). Only the Problems panel runs command links;
      // the hover in the text editor shows the link but VS Code ignores the click there.
      d.code = s.nodeId !== undefined ? { value: s.code, target: revealNodeTarget(document.uri, s.nodeId) } : s.code;
      return d;
    });
    this.collection.set(document.uri, diagnostics);
  }

  clear(uri: vscode.Uri): void {
    clearTimeout(this.pending.get(uri.toString()));
    this.pending.delete(uri.toString());
    this.analysed.delete(uri.toString());
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}
