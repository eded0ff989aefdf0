/**
 * The one path that writes a model document: the graph editors' edits (extension/editor/graphEditorProvider.ts)
 * and the training manager's (what a CSV run learned, Reset weights removing inline params) all go through
 * `ModelEditor.apply`, so an edit from training and one from the canvas can never interleave or be lost.
 *
 * Per document, edits run one at a time in the order they were issued. Each is a function from the current
 * text to the new text (a GraphEdit through applyGraphEdit, a JSON property removed…), which may refuse with a
 * reason or do asynchronous work first (a rename copies its sidecar keys). The change is applied as ONE
 * WorkspaceEdit holding only the changed characters (textDiff.ts), so undo, redo, dirty state and save are
 * VS Code's own. An edit is refused, with a reason and nothing changed, when the document is closed, when it
 * changed while the edit was being prepared, or when VS Code does not apply it.
 *
 * An edit from a graph editor carries the version of the text it was made on, and is refused when the file
 * has changed since (typing in the text editor, undo, another panel's edit): the user made it on a text that
 * is gone. Except when the only changes since were the host's own (`byHost`, training's bookkeeping): then
 * the canvas edit is applied to the current text, after them, rather than lost because training happened to
 * write first.
 */
import * as vscode from 'vscode';
import { diffTexts } from './textDiff';
import { log, messageOf } from '../log';

export type ChangeResult = { text: string } | { refused: string };
/** The new text from the current one (the same text: nothing to do), or why the edit is refused. */
export type Change = (text: string) => ChangeResult | Promise<ChangeResult>;
export type EditOutcome = { ok: true; changed: boolean } | { ok: false; reason: string };

export interface EditOptions {
  /** The document version the edit was made on (edits from a graph editor). */
  madeOn?: number;
  /** The host's own edit (training): an edit made on the version before it is applied after it, not refused. */
  byHost?: boolean;
}

export class ModelEditor implements vscode.Disposable {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per document: for each version a host edit produced, the version it was applied to. */
  private readonly hostEdits = new Map<string, Map<number, number>>();
  // A document that closes and opens again starts its versions afresh.
  private readonly closing = vscode.workspace.onDidCloseTextDocument((d) => this.hostEdits.delete(d.uri.toString()));

  /** Queues `change` on `doc`; resolves (never rejects) once it is applied or refused. */
  apply(doc: vscode.TextDocument, change: Change, options: EditOptions = {}): Promise<EditOutcome> {
    const key = doc.uri.toString();
    const outcome = (this.queues.get(key) ?? Promise.resolve()).then(() => this.run(doc, key, change, options));
    const tail = outcome.then(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return outcome;
  }

  private async run(doc: vscode.TextDocument, key: string, change: Change, o: EditOptions): Promise<EditOutcome> {
    const refuse = (reason: string): EditOutcome => ({ ok: false, reason });
    try {
      if (doc.isClosed) return refuse('The file was closed before this edit could be applied; nothing was changed.');
      if (o.madeOn !== undefined && o.madeOn !== doc.version && !this.onlyHostEdits(key, o.madeOn, doc.version)) {
        return refuse(
          `The file changed before this edit arrived (edit made on version ${o.madeOn}, the file is at version ${doc.version}); nothing was changed.`,
        );
      }
      const version = doc.version;
      const text = doc.getText();
      const r = await change(text);
      if ('refused' in r) return refuse(r.refused);
      if (r.text === text) return { ok: true, changed: false };
      if (doc.isClosed) return refuse('The file was closed before this edit could be applied; nothing was changed.');
      if (doc.version !== version) return refuse('The file changed while this edit was being prepared; nothing was changed.');
      const edit = new vscode.WorkspaceEdit();
      for (const e of diffTexts(text, r.text)) {
        edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
      }
      if (!(await vscode.workspace.applyEdit(edit))) return refuse('VS Code did not apply the edit (is the file read-only?).');
      if (o.byHost && doc.version !== version) {
        const steps = this.hostEdits.get(key) ?? new Map<number, number>();
        this.hostEdits.set(key, steps);
        steps.set(doc.version, version);
      }
      return { ok: true, changed: true };
    } catch (e) {
      log().error(`editing ${doc.uri.path.split('/').pop()} failed: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
      return refuse(`The edit failed: ${messageOf(e)}`);
    }
  }

  /** Every change from version `from` to `to` was a host edit. */
  private onlyHostEdits(key: string, from: number, to: number): boolean {
    const steps = this.hostEdits.get(key);
    let v = to;
    while (steps && v > from) {
      const before = steps.get(v);
      if (before === undefined) return false;
      v = before;
    }
    return v === from;
  }

  dispose(): void {
    this.closing.dispose();
    this.queues.clear();
    this.hostEdits.clear();
  }
}
