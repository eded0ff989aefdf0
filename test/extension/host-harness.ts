// A stand-in VS Code host for the graph editor provider: the foundation's recording fake `vscode`
// (test/foundation/fake-vscode.ts) plus what the provider uses for real — text documents with versions and
// offsets, WorkspaceEdit applied to those documents (firing change events), diagnostics collections, an
// in-memory file system, and webview panels that record what the host posts.
import Module from 'node:module';
import { resolve } from 'node:path';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUri, makeFakeVscode, type Recorder } from '../foundation/fake-vscode';
import { ACKNOWLEDGED_MESSAGES } from '../../protocol/messages';

export { FakeUri };

/**
 * Every promise rejection nobody handled while a host test file ran: a failure the extension dropped (a
 * voided promise, a command handler that rejects) rather than reported. Any at all fails the file.
 */
export const unhandledRejections: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandledRejections.push(reason));
after(() =>
  assert.deepEqual(
    unhandledRejections.map((r) => (r instanceof Error ? r.stack : String(r))),
    [],
    'unhandled promise rejections in the extension host',
  ),
);

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}

export interface EditEntry {
  uri: FakeUri;
  range: Range;
  text: string;
}

export class WorkspaceEdit {
  readonly entries: EditEntry[] = [];
  replace(uri: FakeUri, range: Range, text: string): void {
    this.entries.push({ uri, range, text });
  }
  insert(uri: FakeUri, at: Position, text: string): void {
    this.entries.push({ uri, range: new Range(at, at), text });
  }
  delete(uri: FakeUri, range: Range): void {
    this.entries.push({ uri, range, text: '' });
  }
}

export class Diagnostic {
  source?: string;
  code?: unknown;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: number,
  ) {}
}

export class FakeDocument {
  version = 1;
  /** The text last saved (what a revert goes back to). */
  saved: string;
  constructor(
    readonly uri: FakeUri,
    public text: string,
  ) {
    this.saved = text;
  }
  isClosed = false;
  getText(): string {
    return this.text;
  }
  get isDirty(): boolean {
    return this.text !== this.saved;
  }
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const before = this.text.slice(0, o);
    const line = before.split('\n').length - 1;
    return new Position(line, o - (before.lastIndexOf('\n') + 1));
  }
  offsetAt(p: Position): number {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < p.line && i < lines.length; i++) offset += lines[i]!.length + 1;
    return Math.min(offset + p.character, this.text.length);
  }
}

class Emitter<T> {
  private listeners = new Set<(e: T) => unknown>();
  readonly event = (l: (e: T) => unknown) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
}

export interface FakeWebview {
  html: string;
  cspSource: string;
  options?: { enableScripts?: boolean; localResourceRoots?: FakeUri[] };
  posted: Record<string, unknown>[];
  receive?: (msg: unknown) => void;
  asWebviewUri(u: FakeUri): FakeUri;
  postMessage(msg: unknown): Promise<boolean>;
  onDidReceiveMessage(l: (msg: unknown) => void): { dispose(): void };
}

export interface OpenEditor {
  doc: FakeDocument;
  webview: FakeWebview;
  /** Sends a message as the webview would (postMessage's structured clone is simulated by the caller). */
  send(msg: unknown): void;
  /** Messages the host posted of one type. */
  posts(type: string): Record<string, unknown>[];
  /** Shows or hides the editor's tab (onDidChangeViewState). */
  setVisible(visible: boolean): void;
  close(): void;
}

export interface Host {
  vscode: Record<string, unknown>;
  rec: Recorder;
  /** Files in the fake file system, by URI string. */
  files: Map<string, Uint8Array>;
  /** Diagnostics published, by URI string (absent: none set, or deleted). */
  diagnostics: Map<string, Diagnostic[]>;
  /** Every WorkspaceEdit the extension applied. */
  applied: WorkspaceEdit[];
  provider: { resolveCustomTextEditor(doc: unknown, panel: unknown, token: unknown): unknown };
  context: { subscriptions: { dispose(): unknown }[] };
  open(uri: FakeUri, text: string): Promise<OpenEditor>;
  /** Another graph editor on an open document (Split editor). */
  openAnother(doc: FakeDocument): Promise<OpenEditor>;
  /** A change made outside the graph editor: typing in the text editor, undo, revert, a git checkout. */
  setText(doc: FakeDocument, text: string): void;
  save(doc: FakeDocument): void;
  closeDocument(doc: FakeDocument): void;
  /** Lets queued promises (edit queue, fs calls) run. */
  settle(): Promise<void>;
}

const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };

export async function startHost(opts: { workspaceFolder?: FakeUri } = {}): Promise<Host> {
  const { vscode, rec } = makeFakeVscode();
  const files = new Map<string, Uint8Array>();
  const diagnostics = new Map<string, Diagnostic[]>();
  const applied: WorkspaceEdit[] = [];
  const docs = new Map<string, FakeDocument>();
  const onOpen = new Emitter<FakeDocument>();
  const onClose = new Emitter<FakeDocument>();
  const onSave = new Emitter<FakeDocument>();
  rec.workspaceFolder = opts.workspaceFolder;

  const fileNotFound = (uri: FakeUri) => Object.assign(new Error(`${uri.toString()} not found`), { code: 'FileNotFound' });
  const workspace = vscode.workspace as Record<string, unknown>;
  Object.assign(vscode, {
    Position,
    Range,
    WorkspaceEdit,
    Diagnostic,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    languages: {
      createDiagnosticCollection: () => ({
        set: (uri: FakeUri, d: Diagnostic[]) => diagnostics.set(uri.toString(), d),
        delete: (uri: FakeUri) => diagnostics.delete(uri.toString()),
        clear: () => diagnostics.clear(),
        dispose: () => diagnostics.clear(),
      }),
    },
  });
  Object.assign(workspace, {
    textDocuments: [] as FakeDocument[],
    onDidOpenTextDocument: onOpen.event,
    onDidCloseTextDocument: onClose.event,
    onDidSaveTextDocument: onSave.event,
    async openTextDocument(uri: FakeUri) {
      const doc = docs.get(uri.toString());
      if (!doc) throw fileNotFound(uri);
      return doc;
    },
    getWorkspaceFolder: (uri: FakeUri) =>
      rec.workspaceFolder && uri.path.startsWith(rec.workspaceFolder.path + '/') ? { uri: rec.workspaceFolder, name: 'ws', index: 0 } : undefined,
    async applyEdit(edit: WorkspaceEdit) {
      rec.edits.push(edit);
      const byDoc = new Map<FakeDocument, EditEntry[]>();
      for (const e of edit.entries) {
        const doc = docs.get(e.uri.toString());
        if (!doc) return false;
        byDoc.set(doc, [...(byDoc.get(doc) ?? []), e]);
      }
      applied.push(edit);
      for (const [doc, entries] of byDoc) {
        const spans = entries.map((e) => ({ from: doc.offsetAt(e.range.start), to: doc.offsetAt(e.range.end), text: e.text })).sort((a, b) => b.from - a.from);
        for (let i = 1; i < spans.length; i++) if (spans[i]!.to > spans[i - 1]!.from) throw new Error('overlapping edits in one WorkspaceEdit');
        let text = doc.text;
        for (const s of spans) text = text.slice(0, s.from) + s.text + text.slice(s.to);
        doc.text = text;
        doc.version++;
        rec.onDidChangeTextDocument.fire({ document: doc, contentChanges: entries.map((e) => ({ range: e.range, text: e.text })) });
      }
      return true;
    },
    fs: {
      isWritableFileSystem: (scheme: string) => (scheme === 'file' ? true : scheme === 'git' ? false : undefined),
      async readFile(uri: FakeUri) {
        const b = files.get(uri.toString());
        if (!b) throw fileNotFound(uri);
        return b;
      },
      async writeFile(uri: FakeUri, content: Uint8Array) {
        files.set(uri.toString(), content);
        rec.writes.set(uri.toString(), content);
      },
      async rename(from: FakeUri, to: FakeUri, o?: { overwrite?: boolean }) {
        const b = files.get(from.toString());
        if (!b) throw fileNotFound(from);
        if (files.has(to.toString()) && !o?.overwrite) throw Object.assign(new Error('exists'), { code: 'FileExists' });
        files.delete(from.toString());
        files.set(to.toString(), b);
      },
      async delete(uri: FakeUri) {
        files.delete(uri.toString());
      },
      async stat(uri: FakeUri) {
        if (!files.has(uri.toString())) throw fileNotFound(uri);
        return { type: 1, size: files.get(uri.toString())!.length, ctime: 0, mtime: 0 };
      },
    },
  });

  const require = Module.createRequire(resolve('package.json'));
  const bundle = resolve('dist/extension.js');
  delete require.cache[require.resolve(bundle)];
  const original = M._load;
  M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? vscode : original.call(this, request, parent, isMain);
  };
  let ext: { activate(context: unknown): unknown };
  try {
    ext = require(bundle);
  } finally {
    M._load = original;
  }
  const root = resolve('.');
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: FakeUri.file(root),
    extensionPath: root,
    globalState: { get: () => undefined, update: async () => {}, keys: () => [] },
    workspaceState: (() => {
      // A real store, so what the extension keeps per workspace (the view preferences) reads back.
      const kept = new Map<string, unknown>();
      return { get: (k: string) => kept.get(k), update: async (k: string, v: unknown) => void kept.set(k, v), keys: () => [...kept.keys()] };
    })(),
    asAbsolutePath: (p: string) => resolve(root, p),
  };
  await ext.activate(context);
  const provider = rec.customEditors.get('backpropStudio.graphEditor')!.provider as Host['provider'];

  const TRAINING_MESSAGES: readonly string[] = ACKNOWLEDGED_MESSAGES;
  const settle = async () => {
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
  };

  const resolveEditor = async (doc: FakeDocument): Promise<OpenEditor> => {
    const webview: FakeWebview = {
      html: '',
      cspSource: 'https://csp.example',
      posted: [],
      asWebviewUri: (u) => new FakeUri('https', `webview${u.path}`),
      postMessage(msg) {
        // What postMessage does to a message: a structured clone.
        webview.posted.push(structuredClone(msg) as Record<string, unknown>);
        // The real page acknowledges each training message once it has drawn it (webview/host.ts).
        if (TRAINING_MESSAGES.includes((msg as { type: string }).type)) setImmediate(() => webview.receive?.({ type: 'trainingAck' }));
        return Promise.resolve(true);
      },
      onDidReceiveMessage(l) {
        webview.receive = l;
        return { dispose() {} };
      },
    };
    const disposeListeners: (() => void)[] = [];
    const viewState = new Emitter<{ webviewPanel: unknown }>();
    const panel = {
      webview,
      visible: true,
      onDidDispose: (l: () => void) => (disposeListeners.push(l), { dispose() {} }),
      onDidChangeViewState: viewState.event,
    };
    await provider.resolveCustomTextEditor(doc, panel, { isCancellationRequested: false });
    return {
      doc,
      webview,
      send: (msg) => webview.receive!(msg),
      posts: (type) => webview.posted.filter((m) => m.type === type),
      setVisible(visible) {
        panel.visible = visible;
        viewState.fire({ webviewPanel: panel });
      },
      close: () => disposeListeners.forEach((l) => l()),
    };
  };

  return {
    vscode,
    rec,
    files,
    diagnostics,
    applied,
    provider,
    context,
    async open(uri, text) {
      const doc = new FakeDocument(uri, text);
      docs.set(uri.toString(), doc);
      (workspace.textDocuments as FakeDocument[]).push(doc);
      onOpen.fire(doc);
      return resolveEditor(doc);
    },
    openAnother: resolveEditor,
    setText(doc, text) {
      const old = doc.text;
      doc.text = text;
      doc.version++;
      rec.onDidChangeTextDocument.fire({ document: doc, contentChanges: [{ range: new Range(doc.positionAt(0), doc.positionAt(old.length)), text }] });
    },
    save(doc) {
      doc.saved = doc.text;
      files.set(doc.uri.toString(), new TextEncoder().encode(doc.text));
      rec.onDidChangeTextDocument.fire({ document: doc, contentChanges: [] });
      onSave.fire(doc);
    },
    closeDocument(doc) {
      doc.isClosed = true;
      docs.delete(doc.uri.toString());
      const list = workspace.textDocuments as FakeDocument[];
      list.splice(list.indexOf(doc), 1);
      onClose.fire(doc);
    },
    settle,
  };
}
