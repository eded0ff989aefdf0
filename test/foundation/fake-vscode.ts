// A recording stand-in for the `vscode` module, so the bundled extension (dist/extension.js) can be loaded and
// activated in plain Node. Explicit where tests look (commands, custom editors, dialogs, fs, messages); any other
// API returns a harmless stub, so later code that touches more of the API still activates here.
import Module from 'node:module';
import { posix, resolve } from 'node:path';

export class FakeUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
    /** Decoded, as vscode.Uri keeps it; only `scheme:path?query` URIs (command links) have one here. */
    readonly query = '',
  ) {}
  static file(p: string): FakeUri {
    return new FakeUri('file', p);
  }
  static parse(s: string): FakeUri {
    const m = /^([a-z][\w+.-]*):\/\/(.*)$/i.exec(s);
    if (m) return new FakeUri(m[1]!, m[2]!);
    // `command:id?args`: no authority, a query (a one-letter scheme would be a Windows drive).
    const opaque = /^([a-z][\w+.-]+):([^/?][^?]*)(?:\?(.*))?$/i.exec(s);
    return opaque ? new FakeUri(opaque[1]!, opaque[2]!, decodeURIComponent(opaque[3] ?? '')) : new FakeUri('file', s);
  }
  static from(c: { scheme: string; path: string; query?: string }): FakeUri {
    return new FakeUri(c.scheme, c.path, c.query ?? '');
  }
  static joinPath(base: FakeUri, ...segments: string[]): FakeUri {
    return new FakeUri(base.scheme, posix.join(base.path, ...segments));
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; path?: string }): FakeUri {
    return new FakeUri(change.scheme ?? this.scheme, change.path ?? this.path);
  }
  toString(): string {
    return this.query ? `${this.scheme}:${this.path}?${encodeURIComponent(this.query)}` : `${this.scheme}://${this.path}`;
  }
}

export class FakeTabInputCustom {
  constructor(
    readonly uri: FakeUri,
    readonly viewType: string,
  ) {}
}

class FakeDisposable {
  constructor(private readonly fn: () => void = () => {}) {}
  static from(...ds: { dispose(): unknown }[]): FakeDisposable {
    return new FakeDisposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

type Listener<T> = (e: T) => unknown;

class FakeEventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): FakeDisposable => {
    this.listeners.add(listener);
    return new FakeDisposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** A callable that returns a disposable-like stub for any property or call: the fallback for unmodelled APIs. */
function stub(): unknown {
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (_t, prop) => (prop === 'then' ? undefined : prop === 'dispose' ? () => {} : stub()),
    apply: () => stub(),
    construct: () => stub() as object,
  });
}

function withFallback<T extends object>(obj: T): T {
  return new Proxy(obj, { get: (t, prop, r) => (prop in t ? Reflect.get(t, prop, r) : prop === 'then' ? undefined : stub()) });
}

export interface Recorder {
  commands: Map<string, (...args: unknown[]) => unknown>;
  customEditors: Map<string, { provider: unknown; options: unknown }>;
  executed: { command: string; args: unknown[] }[];
  messages: { level: 'info' | 'warning' | 'error'; text: string }[];
  writes: Map<string, Uint8Array>;
  edits: unknown[];
  /** Lines written to output channels, as "[level] channel: message". */
  log: string[];
  onDidChangeTextDocument: FakeEventEmitter<unknown>;
  /** What the next dialogs answer; `(items) => item` for quick picks. */
  answers: { quickPick?: (items: readonly { label: string }[]) => unknown; saveDialog?: FakeUri };
  activeTabInput?: unknown;
  workspaceFolder?: FakeUri;
  /** Every status-bar item the extension made, as it is now. */
  statusBarItems: { text: string }[];
}

export function makeFakeVscode(): { vscode: Record<string, unknown>; rec: Recorder } {
  const rec: Recorder = {
    commands: new Map(),
    customEditors: new Map(),
    executed: [],
    messages: [],
    writes: new Map(),
    edits: [],
    log: [],
    statusBarItems: [],
    onDidChangeTextDocument: new FakeEventEmitter(),
    answers: {},
  };
  const message = (level: 'info' | 'warning' | 'error') => async (text: string) => {
    rec.messages.push({ level, text });
    return undefined;
  };
  const vscode = withFallback({
    Uri: FakeUri,
    TabInputCustom: FakeTabInputCustom,
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    TabInputText: class {},
    Disposable: FakeDisposable,
    EventEmitter: FakeEventEmitter,
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    // A namespace the bundle reads must exist here: esbuild's CommonJS interop copies only the module's own keys.
    languages: withFallback({}),
    commands: withFallback({
      registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
        if (rec.commands.has(id)) throw new Error(`command '${id}' already exists`);
        rec.commands.set(id, handler);
        return new FakeDisposable(() => rec.commands.delete(id));
      },
      async executeCommand(command: string, ...args: unknown[]) {
        rec.executed.push({ command, args });
        return undefined;
      },
    }),
    window: withFallback({
      registerCustomEditorProvider(viewType: string, provider: unknown, options?: unknown) {
        rec.customEditors.set(viewType, { provider, options });
        return new FakeDisposable(() => rec.customEditors.delete(viewType));
      },
      showInformationMessage: message('info'),
      showWarningMessage: message('warning'),
      showErrorMessage: message('error'),
      async showQuickPick(items: readonly { label: string }[] | Promise<readonly { label: string }[]>) {
        return rec.answers.quickPick?.(await items);
      },
      async showSaveDialog() {
        return rec.answers.saveDialog;
      },
      get tabGroups() {
        return { activeTabGroup: { activeTab: rec.activeTabInput ? { input: rec.activeTabInput } : undefined }, all: [] };
      },
      activeTextEditor: undefined,
      createStatusBarItem() {
        const item = { text: '', tooltip: '', command: undefined, show() {}, hide() {}, dispose() {} };
        rec.statusBarItems.push(item);
        return item;
      },
      createOutputChannel(name: string) {
        const line = (level: string) => (msg: string) => rec.log.push(`[${level}] ${name}: ${msg}`);
        return {
          name,
          trace: line('trace'),
          debug: line('debug'),
          info: line('info'),
          warn: line('warn'),
          error: line('error'),
          appendLine: line('info'),
          show() {},
          dispose() {},
        };
      },
    }),
    workspace: withFallback({
      get workspaceFolders() {
        return rec.workspaceFolder ? [{ uri: rec.workspaceFolder, name: 'ws', index: 0 }] : undefined;
      },
      onDidChangeTextDocument: rec.onDidChangeTextDocument.event,
      async applyEdit(edit: unknown) {
        rec.edits.push(edit);
        return true;
      },
      fs: withFallback({
        isWritableFileSystem(scheme: string) {
          return scheme === 'file' ? true : undefined;
        },
        async writeFile(uri: FakeUri, content: Uint8Array) {
          rec.writes.set(uri.toString(), content);
        },
      }),
    }),
  });
  return { vscode, rec };
}

export interface LoadedExtension {
  ext: { activate(context: unknown): unknown; deactivate?(): unknown };
  rec: Recorder;
  context: { subscriptions: { dispose(): unknown }[]; extensionUri: FakeUri; extensionPath: string };
}

const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };

/** Loads a fresh copy of dist/extension.js with the fake `vscode` and activates it with a fake context. */
export async function loadExtension(bundle = resolve('dist/extension.js')): Promise<LoadedExtension> {
  const { vscode, rec } = makeFakeVscode();
  const require = Module.createRequire(resolve('package.json'));
  delete require.cache[require.resolve(bundle)];
  const original = M._load;
  M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? vscode : original.call(this, request, parent, isMain);
  };
  let ext: LoadedExtension['ext'];
  try {
    ext = require(bundle);
  } finally {
    M._load = original;
  }
  const root = resolve('.');
  const context = withFallback({
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: FakeUri.file(root),
    extensionPath: root,
    globalState: withFallback({ get: () => undefined, update: async () => {}, keys: () => [] }),
    workspaceState: withFallback({ get: () => undefined, update: async () => {}, keys: () => [] }),
    asAbsolutePath: (p: string) => resolve(root, p),
  });
  await ext.activate(context);
  return { ext, rec, context };
}
