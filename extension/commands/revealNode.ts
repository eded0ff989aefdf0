// backpropStudio.revealNode (model URI, node id): opens the model in the graph editor and selects and centres
// the node there. The link a diagnostic carries in the Problems panel (revealNodeLink.ts) runs it; hidden from
// the Command Palette, which has no node to pass.
import * as vscode from 'vscode';
import { analyzeText } from '../document/analysis';
import { GRAPH_EDITOR_VIEW_TYPE } from '../editor/graphEditorProvider';
import type { ModelUriParts } from './revealNodeLink';

type Reveal = (nodeId: string) => void;

/**
 * Every open graph editor's way to reveal a node, by document (GraphEditorHooks.attachReveal). The editor
 * holds a reveal back until its webview has the document: a hidden graph editor's webview is unloaded and
 * loads again when it is shown, and a message posted in between is lost.
 */
export class NodeRevealer {
  private readonly views = new Map<string, Set<Reveal>>();
  private readonly waiting = new Map<string, Set<() => void>>();

  attach(uri: vscode.Uri, reveal: Reveal): vscode.Disposable {
    const key = uri.toString();
    const set = this.views.get(key) ?? new Set<Reveal>();
    this.views.set(key, set);
    set.add(reveal);
    for (const wake of this.waiting.get(key) ?? []) wake();
    return new vscode.Disposable(() => {
      set.delete(reveal);
      if (set.size === 0 && this.views.get(key) === set) this.views.delete(key);
    });
  }

  /** Tells every graph editor on `uri` to reveal `nodeId`; returns how many there are. */
  reveal(uri: vscode.Uri, nodeId: string): number {
    const set = this.views.get(uri.toString());
    for (const r of set ?? []) r(nodeId);
    return set?.size ?? 0;
  }

  /** Resolves true once a graph editor on `uri` is attached (at once if one is), false after `timeoutMs`. */
  attached(uri: vscode.Uri, timeoutMs: number): Promise<boolean> {
    const key = uri.toString();
    if (this.views.get(key)?.size) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.waiting.get(key) ?? new Set<() => void>();
      this.waiting.set(key, set);
      const done = (attached: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        resolve(attached);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      set.add(wake);
    });
  }
}

/** How long the command waits for the graph editor it opened to come up before giving up on revealing. */
const OPEN_TIMEOUT_MS = 10_000;

/** The model: a Uri, its parts (from a command link, revealNodeLink.ts), or a URI string. */
function modelUri(resource: unknown): vscode.Uri {
  if (resource instanceof vscode.Uri) return resource;
  if (typeof resource === 'string' && resource.length > 0) return vscode.Uri.parse(resource);
  const parts = resource as Partial<ModelUriParts> | null | undefined;
  if (parts && typeof parts === 'object' && typeof parts.scheme === 'string' && typeof parts.path === 'string') {
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return vscode.Uri.from({
      scheme: parts.scheme,
      authority: text(parts.authority),
      path: parts.path,
      query: text(parts.query),
      fragment: text(parts.fragment),
    });
  }
  throw new Error('it needs the model file as its first argument');
}

/** The group showing a graph editor on `uri` already, so the command brings that one forward instead of opening another. */
function groupShowing(uri: vscode.Uri): vscode.ViewColumn | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputCustom && tab.input.viewType === GRAPH_EDITOR_VIEW_TYPE && tab.input.uri.toString() === uri.toString())
        return group.viewColumn;
    }
  }
  return undefined;
}

/**
 * Opens (or brings forward) the graph editor on the model and reveals the node in it. Resolves to the number
 * of graph editors told (0 when the model has no such node).
 */
export async function revealNode(revealer: NodeRevealer, resource: unknown, nodeId: unknown): Promise<number> {
  const uri = modelUri(resource);
  if (typeof nodeId !== 'string' || nodeId.length === 0) throw new Error('it needs the id of a node as its second argument');
  const document = await vscode.workspace.openTextDocument(uri);
  if (!analyzeText(document.getText()).nodes.has(nodeId)) {
    const name = uri.path.split('/').pop() ?? uri.toString();
    await vscode.window.showInformationMessage(`Backprop Studio: ${name} has no node "${nodeId}" (it may have been renamed or removed).`);
    return 0;
  }
  const viewColumn = groupShowing(uri);
  await vscode.commands.executeCommand('vscode.openWith', uri, GRAPH_EDITOR_VIEW_TYPE, viewColumn === undefined ? undefined : { viewColumn });
  // openWith may resolve before VS Code has asked the provider for the new editor.
  if (!(await revealer.attached(uri, OPEN_TIMEOUT_MS))) throw new Error(`the graph editor on ${uri.path.split('/').pop()} did not open`);
  return revealer.reveal(uri, nodeId);
}
