// VS Code in the browser, driven by headless Chromium: the pieces shared by `npm start` (scripts/start.mjs), its
// check (scripts/check-start.mjs), the VS Code integration test (test/vscode/vscode-server.test.ts) and the
// end-to-end UI test (test/e2e/ui.test.ts). See ../shared/notes/real-vscode.md for why it is done this way.
//
// Processes are started in their own process group (detached) and stopped with stopProcessGroup, which also
// ends their children (extension host, file watcher, pty host).
import { spawn } from 'node:child_process';
import { createWriteStream, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { csEntry, node24, node24Bin, root } from './tools.mjs';

/** Debian's chromium; never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** User settings for a throw-away profile: a trusted workspace, nothing that reaches out or pops up. */
export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Resolves when `url` answers 2xx; throws when `child` exits first or the time runs out. */
export async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering ${url}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Stops a process started with `detached: true` and its children: its whole process group. */
export async function stopProcessGroup(child) {
  if (child.pid === undefined) return;
  const signal = (s) => {
    try {
      process.kill(-child.pid, s);
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
  await Promise.race([exited, sleep(3000)]);
  signal('SIGKILL'); // children that outlive it
}

/**
 * Every file under `dir`, recursively ([] when it does not exist). Symbolic links are not followed (the linked
 * extension points back at the repository), and entries that vanish while it looks are left out.
 */
export function filesUnder(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const p = join(dir, name);
    try {
      const st = lstatSync(p);
      return st.isDirectory() ? filesUnder(p) : st.isFile() ? [p] : [];
    } catch {
      return [];
    }
  });
}

/** Loads the extension without packaging: EXTDIR/<publisher>.<name>-<version> becomes a symlink to the repo. */
export function linkExtension(extensionsDir) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  mkdirSync(extensionsDir, { recursive: true });
  const prefix = `${pkg.publisher}.${pkg.name}-`;
  const linkName = `${prefix}${pkg.version}`;
  for (const entry of readdirSync(extensionsDir)) {
    const p = join(extensionsDir, entry);
    if (entry.startsWith(prefix) && entry !== linkName && lstatSync(p).isSymbolicLink()) unlinkSync(p); // an older version
  }
  const link = join(extensionsDir, linkName);
  let current;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : 'not a link';
  } catch {
    current = undefined;
  }
  if (current !== root) {
    if (current !== undefined) rmSync(link, { recursive: true, force: true });
    symlinkSync(root, link, 'dir');
  }
  // VS Code caches the scanned extensions here; a stale cache can hide a relinked extension.
  rmSync(join(extensionsDir, 'extensions.json'), { force: true });
  return link;
}

/** code-server's command line (run with Node 24) for a folder, on 127.0.0.1 without auth. */
export function codeServerArgs({ port, userDataDir, extensionsDir, folder }) {
  return [
    csEntry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    folder,
  ];
}

/** The environment for code-server: Node 24 first on PATH, its config and data in throw-away folders. */
export function codeServerEnv(configDir, dataDir) {
  return { ...process.env, PATH: node24Bin + delimiter + (process.env.PATH ?? ''), XDG_CONFIG_HOME: configDir, XDG_DATA_HOME: dataDir };
}

/**
 * code-server with this extension linked in, opening `folder`, everything else under `dir` (a throw-away
 * folder): user data with QUIET_SETTINGS, extensions, config, data, and code-server.log (its output).
 * Resolves once /healthz answers. `stop()` ends it with its children.
 */
export async function startCodeServer({ dir, folder, settings = {} }) {
  const d = (name) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const userDataDir = d('user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  const extensionsDir = d('extensions');
  linkExtension(extensionsDir);
  const port = await freePort();
  const logFile = join(dir, 'code-server.log');
  const out = createWriteStream(logFile);
  const child = spawn(node24, codeServerArgs({ port, userDataDir, extensionsDir, folder }), {
    cwd: root,
    detached: true, // its own process group: stop() ends it with its children
    stdio: ['ignore', 'pipe', 'pipe'],
    env: codeServerEnv(d('xdg-config'), d('xdg-data')),
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcessGroup(child);
    out.end();
  };
  try {
    await waitForHttp(`${base}/healthz`, child, 90_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, url: `${base}/?folder=${encodeURIComponent(folder)}`, port, child, logFile, userDataDir, stop };
}

/** The *.log files under a folder of startCodeServer (its output; VS Code's window, extension host and server logs). */
export function vscodeLogs(dir) {
  return filesUnder(dir)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => {
      try {
        return [{ file: f, contents: readFileSync(f, 'utf8') }];
      } catch {
        return [];
      }
    });
}

// ---- driving the workbench -----------------------------------------------------------------------------

export const QUICK_INPUT = '.quick-input-widget';
export const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
export const QUICK_INPUT_ROW = '.quick-input-widget .quick-input-list .monaco-list-row';

/** Resolves when the workbench has loaded (its editor area is there). */
export async function waitForWorkbench(page, timeoutMs = 90_000) {
  await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: timeoutMs });
}

/**
 * Opens the command palette, types `title` and, once its row shows, runs it (`run: false`: closes the palette
 * instead, which is a way to wait until an extension's commands are there). On a fresh profile an
 * extension's commands can show a few seconds late and an open palette does not refresh: it retries.
 */
export async function runCommand(page, title, { attempts = 10, rowTimeoutMs = 3000, run = true } = {}) {
  const input = page.locator(QUICK_INPUT_BOX);
  // The exact title: "Backprop Studio: Train" must not pick "Backprop Studio: Train ..." or a recently used one.
  const row = page.locator(QUICK_INPUT_ROW).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  for (let i = 0; i < attempts; i++) {
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    if (
      await row
        .first()
        .waitFor({ timeout: rowTimeoutMs })
        .then(
          () => true,
          () => false,
        )
    ) {
      if (run) await row.first().click();
      else await page.keyboard.press('Escape');
      return;
    }
    await page.keyboard.press('Escape');
  }
  throw new Error(`the command palette does not list "${title}" (tried ${attempts} times)`);
}

/** Waits for a quick pick row containing `label` and picks it. */
export async function pickQuickItem(page, label, timeoutMs = 15_000) {
  const row = page.locator(QUICK_INPUT_ROW, { hasText: label }).first();
  await row.waitFor({ timeout: timeoutMs });
  // Short: a picker that has closed does not come back, and the caller may open it again.
  await row.click({ timeout: 5000 });
}

/**
 * Answers the save dialog of VS Code in the browser (the "simple" file dialog: a quick input holding a path)
 * with `path`, and waits until it closes.
 */
export async function answerSaveDialog(page, path, timeoutMs = 15_000) {
  const input = page.locator(QUICK_INPUT_BOX);
  await input.waitFor({ timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  // The dialog fills in the folder first and the default file name a moment later: typing before it has
  // settled gets overwritten. Wait until it holds a path that stays the same for a while.
  let last = '';
  let since = Date.now();
  for (;;) {
    const v = await input.inputValue();
    if (v !== last) {
      last = v;
      since = Date.now();
    } else if (v.includes('/') && Date.now() - since >= 750) break;
    if (Date.now() > deadline) throw new Error(`the save dialog did not settle on a path (it shows "${v}")`);
    await sleep(100);
  }
  // Type the path, check it is still there a moment later, then accept it.
  for (;;) {
    await input.fill(path);
    await sleep(300);
    if ((await input.inputValue()) === path) break;
    if (Date.now() > deadline) throw new Error(`the save dialog does not keep the path typed into it (it shows "${await input.inputValue()}")`);
  }
  await input.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** The active webview's document: two iframes deep. */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
