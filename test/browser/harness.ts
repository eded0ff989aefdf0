// The editor's webview in headless Chromium, without VS Code: a tiny static server on 127.0.0.1 serves dist/ and
// a page made by the host's own renderWebviewHtml (same CSP, same nonce rule), plus a stand-in
// acquireVsCodeApi that records every message the webview posts and can answer 'ready' with a document.
// Used by test/browser/*.test.ts and scripts/bench-editor.mjs.
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, renderWebviewHtml } from '../../extension/editor/csp';
import type { ModelJson } from '../../engine/graph/types';
import type { GraphEdit, HostMessage, WebviewMessage } from '../../protocol/messages';
import { applyEdit } from './applyEdit';
import { DARK_THEME } from './theme';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or null. */
export function browserMissing(distDir = 'dist'): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(join(distDir, 'webview.js'))) return `${distDir}/webview.js is not built (node esbuild.mjs)`;
  return null;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

export interface PageDoc {
  text: string;
  version?: number;
  readOnly?: boolean;
  /** The webview state VS Code would hand back (getState) to a page that reloads, e.g. after a tab switch. */
  state?: unknown;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

/** The stand-in for VS Code's webview API: records posts; answers 'ready' with the initial document. */
function standIn(doc: PageDoc | undefined): string {
  const initial = doc ? { type: 'document', uri: 'file:///work/model.nn.json', text: doc.text, version: doc.version ?? 1, readOnly: !!doc.readOnly } : null;
  return `(() => {
  const initial = ${JSON.stringify(initial).replace(/</g, '\\u003c')};
  const posted = [];
  const violations = [];
  let state = ${JSON.stringify(doc?.state ?? null).replace(/</g, '\\u003c')} ?? undefined;
  document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
  document.body.classList.add('vscode-dark');
  window.__bps = { posted, violations, host: (msg) => window.postMessage(msg, '*') };
  window.acquireVsCodeApi = () => ({
    postMessage(m) {
      // As VS Code's webview API: a JSON copy, except that the WebGPU runner's messages keep their typed arrays.
      const copy = m && m.type === 'gpuRun' ? structuredClone(m) : JSON.parse(JSON.stringify(m));
      posted.push(copy);
      if (copy.type === 'ready' && initial) {
        performance.mark('document-sent');
        window.postMessage(initial, '*');
      }
    },
    getState: () => state,
    setState: (s) => { state = s; },
  });
})();`;
}

export interface PageServer {
  origin: string;
  /** A page URL that opens with `doc` (none: the page waits for the test to send one). */
  pageFor(doc?: PageDoc): string;
  close(): Promise<void>;
}

export async function startPageServer(distDir = 'dist'): Promise<PageServer> {
  const root = resolve(distDir);
  const pages = new Map<string, PageDoc | undefined>();
  let origin = '';
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    try {
      if (url.pathname.startsWith('/editor/')) {
        const id = url.pathname.slice('/editor/'.length);
        if (!pages.has(id)) throw new Error('no such page');
        const nonce = makeNonce();
        let html = renderWebviewHtml({
          cspSource: origin,
          nonce,
          scriptUri: `${origin}/dist/webview.js`,
          styleUri: `${origin}/dist/webview.css`,
          title: 'model.nn.json',
        });
        // The stand-in runs where VS Code's own script would: before the (deferred) bundle, with the body there.
        const at = html.indexOf('</body>');
        html = `${html.slice(0, at)}<style nonce="${nonce}">${DARK_THEME}</style>\n<script nonce="${nonce}">${standIn(pages.get(id))}</script>\n${html.slice(at)}`;
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
        res.end(html);
        return;
      }
      if (url.pathname.startsWith('/dist/')) {
        const file = normalize(join(root, decodeURIComponent(url.pathname.slice('/dist/'.length))));
        if (!file.startsWith(root)) throw new Error('outside dist');
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      throw new Error('not found');
    } catch {
      res.writeHead(404);
      res.end();
    }
  };
  // serve() answers every request itself, a failure with a 404: there is nothing left for the server to handle.
  const server: Server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  return {
    origin,
    pageFor(doc) {
      const id = `${++n}.html`;
      pages.set(id, doc);
      return `${origin}/editor/${id}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

declare global {
  interface Window {
    __bps: { posted: WebviewMessage[]; violations: string[]; host(msg: HostMessage): void };
  }
}

/** Problems the page reported: uncaught errors, console errors and warnings, CSP violations. */
export interface PageProblems {
  pageErrors: string[];
  console: string[];
}

/**
 * Chromium's own warning when navigator.gpu.requestAdapter() finds none (the page asks at load whether it can train
 * on WebGPU, webview/gpu/runner.ts): expected wherever there is no adapter, as in these tests without the flag.
 */
const NO_ADAPTER_WARNING = 'No available adapters.';

export function watchProblems(page: Page): PageProblems {
  const p: PageProblems = { pageErrors: [], console: [] };
  page.on('pageerror', (e) => p.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text() === NO_ADAPTER_WARNING) return;
    if (m.type() === 'error' || m.type() === 'warning') p.console.push(`${m.type()}: ${m.text()}`);
  });
  return p;
}

/**
 * Waits until the toolkit's controls are defined: dist/webview-toolkit.js loads after the graph is drawn
 * (webview/ui/toolkit.tsx), and until then a control has no role or shadow content to find.
 */
export async function toolkitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => customElements.get('vscode-button') !== undefined, null, { timeout: 15_000 });
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__bps.violations.slice());
}

/**
 * The test's side of the host: reads what the page posted, applies edits to its model the simple way
 * (applyEdit) and sends the new document back with the next version, as the extension would.
 */
export class TestHost {
  version: number;
  private applied = 0;
  constructor(
    readonly page: Page,
    public model: ModelJson,
    version = 1,
  ) {
    this.version = version;
  }

  posted(): Promise<WebviewMessage[]> {
    return this.page.evaluate(() => window.__bps.posted.slice());
  }

  async edits(): Promise<GraphEdit[]> {
    return (await this.posted()).flatMap((m) => (m.type === 'edit' ? [m.edit] : []));
  }

  /**
   * Waits until at least `count` edits have been posted in total; returns them all. The limit is generous: it
   * returns as soon as they are there, and a CI machine busy installing or building can be slow for seconds.
   */
  async waitForEdits(count: number, timeoutMs = 15_000): Promise<GraphEdit[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.edits();
      if (e.length >= count) return e;
      if (Date.now() > end) throw new Error(`expected ${count} edit(s), got ${e.length}: ${JSON.stringify(e)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  send(msg: HostMessage): Promise<void> {
    return this.page.evaluate((m) => window.__bps.host(m), msg);
  }

  async sendText(text: string, readOnly = false): Promise<void> {
    this.version += 1;
    await this.send({ type: 'document', uri: 'file:///work/model.nn.json', text, version: this.version, readOnly });
  }

  /** Applies every edit posted since the last call and sends the resulting document. */
  async applyEdits(): Promise<GraphEdit[]> {
    const all = await this.edits();
    const fresh = all.slice(this.applied);
    this.applied = all.length;
    for (const e of fresh) this.model = applyEdit(this.model, e);
    if (fresh.length) await this.sendText(JSON.stringify(this.model, null, 2));
    return fresh;
  }
}

/** Selectors of the canvas: a node, its output handle, the handle of input port `port`. */
export const sel = {
  node: (id: string) => `.react-flow__node[data-id="${id}"]`,
  sourceHandle: (id: string) => `.react-flow__node[data-id="${id}"] .react-flow__handle.source`,
  targetHandle: (id: string, port = 0) => `.react-flow__node[data-id="${id}"] .react-flow__handle.target[data-handleid="in${port}"]`,
};

/** Press on `from`, move in steps to `to`, release: a real pointer drag (handles, nodes). */
export async function dragMouse(page: Page, from: string, to: string): Promise<void> {
  const a = (await page.locator(from).boundingBox())!;
  const b = (await page.locator(to).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/**
 * Inside a describe(): start the page server and the browser before its tests and close both after.
 * The returned object's fields are set once `before` has run.
 */
export function useBrowser(): { browser: Browser; server: PageServer } {
  const ctx = {} as { browser: Browser; server: PageServer };
  before(async () => {
    ctx.server = await startPageServer();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}
