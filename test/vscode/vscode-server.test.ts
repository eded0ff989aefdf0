// Runs the VS Code integration suite (test/vscode/suite/, bundled to dist-test/vscode/ by the build) inside a
// real extension host: the VS Code server bundled in code-server, opened in headless Chromium with the
// extensionDevelopmentPath/extensionTestsPath payload (see ../shared/notes/real-vscode.md). The workbench
// streams the extension host's output through window.codeAutomationLog and reports the run's exit code through
// window.codeAutomationExit; this test fails when mocha failed, printing the VS Code logs and a screenshot path.
//
// On first use Node 24 and code-server are installed into .tools/ (scripts/tools.mjs: a few minutes).
// Needs Debian's chromium (CHROMIUM_PATH overrides /usr/bin/chromium). BPS_VSCODE_GREP runs only the
// integration tests whose title matches it. Everything else lives in a throw-away temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { ensureTools, node24, node24Bin, root, vscodeServerMain } from '../../scripts/tools.mjs';
import { CHROMIUM, QUIET_SETTINGS, filesUnder, freePort, launchChromium, stopProcessGroup, waitForHttp } from '../../scripts/vscode-browser.mjs';

const TESTS_ENTRY = join(root, 'dist-test', 'vscode', 'index.js');
const RESULTS = join(root, 'test-results', 'vscode');
/** The suite itself takes about 20 s; the rest is the server and workbench starting. */
const RUN_TIMEOUT_MS = 4 * 60_000;

/**
 * Workbench chatter left out of the streamed output (it is all in the failure report): connection set-up, the
 * chat and agent features, the GitHub sign-in nobody does, and the extension gallery this machine cannot reach.
 */
const NOISE =
  /^\s*(\[(AgentHost|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)|Resolving connection|Resolved connection|Creating a socket|Creation of workbench contribution|Updating additional builtin|Timed out waiting for authentication provider|getaddrinfo ENOTFOUND|\s+at )/;

const log = (msg: string) => console.log(`[vscode-server] ${msg}`);

test('the VS Code integration suite passes in the extension host of a real VS Code server', { timeout: 20 * 60_000 }, async () => {
  assert.ok(existsSync(TESTS_ENTRY), `${TESTS_ENTRY} is missing: run the build (npm test builds first)`);
  assert.ok(existsSync(CHROMIUM), `Chromium is not at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH)`);
  const installStarted = Date.now();
  const nodeVersion = ensureTools(log);
  if (Date.now() - installStarted > 5000) log(`tools installed in ${((Date.now() - installStarted) / 1000).toFixed(0)} s`);

  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'bps-vscode-'));
  const dirs = Object.fromEntries(['user-data', 'server-data', 'extensions', 'workspace', 'xdg-config', 'xdg-data'].map((d) => [d, join(tmp, d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // The workspace is trusted and nothing reaches out (the server may keep user settings here).
  mkdirSync(join(dirs['user-data'], 'User'), { recursive: true });
  writeFileSync(join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));

  const port = await freePort();
  const serverLogFile = join(tmp, 'server.log');
  const serverLog = createWriteStream(serverLogFile);
  const server = spawn(
    node24,
    [
      vscodeServerMain,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      '--disable-telemetry',
      '--user-data-dir',
      dirs['user-data'],
      '--server-data-dir',
      dirs['server-data'],
      '--extensions-dir',
      dirs['extensions'],
    ],
    {
      cwd: root,
      detached: true, // its own process group: stopProcessGroup ends it with its children
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: node24Bin + delimiter + (process.env.PATH ?? ''),
        XDG_CONFIG_HOME: dirs['xdg-config'],
        XDG_DATA_HOME: dirs['xdg-data'],
      },
    },
  );
  server.stdout!.pipe(serverLog);
  server.stderr!.pipe(serverLog);

  const automationLog: string[] = [];
  let vscodeLogs: { relativePath: string; contents: string }[] = [];
  let browser: Browser | undefined;
  let exitCode: number | undefined;
  let failure: unknown;
  const screenshot = join(RESULTS, 'failure.png');
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/version`, server);
    log(`VS Code server (node ${nodeVersion}) up on ${base} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let onExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (onExit = r));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      // args: what console.log got in the workbench or the extension host (a format string and its values).
      const text = Array.isArray(args) ? format(...args) : String(args);
      for (const line of text.replace(/\s+$/, '').split('\n')) {
        automationLog.push(`[${type}] ${line}`);
        if (!NOISE.test(line)) console.log(`  ${line}`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: { relativePath: string; contents: string }[]) => {
      vscodeLogs = Array.isArray(logs) ? logs : [];
      onExit(code);
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(TESTS_ENTRY)],
    ]);
    const url = `${base}/?folder=${encodeURIComponent(dirs['workspace'])}&payload=${encodeURIComponent(payload)}`;
    await page.goto(url);
    let timer: NodeJS.Timeout | undefined;
    exitCode = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the integration suite did not finish within ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    log(`extension host exited with code ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (exitCode !== 0) {
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: screenshot }).catch(() => undefined);
    }
  } catch (e) {
    failure = e;
    if (browser) {
      mkdirSync(RESULTS, { recursive: true });
      await browser
        .contexts()[0]
        ?.pages()[0]
        ?.screenshot({ path: screenshot })
        .catch(() => undefined);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await stopProcessGroup(server);
    serverLog.end();
  }

  try {
    if (failure !== undefined || exitCode !== 0) {
      // Everything there is to read: the extension host's output, VS Code's own logs, the server's output.
      mkdirSync(RESULTS, { recursive: true });
      const report: string[] = [];
      report.push('==== extension host output (codeAutomationLog) ====', ...automationLog);
      for (const l of vscodeLogs) report.push(`==== VS Code log (workbench) ${l.relativePath} ====`, l.contents);
      for (const f of filesUnder(tmp)) {
        if (f.endsWith('.log') && f !== serverLogFile) report.push(`==== VS Code log (server) ${relative(tmp, f)} ====`, readFileSync(f, 'utf8'));
      }
      if (existsSync(serverLogFile)) report.push('==== VS Code server stdout/stderr ====', readFileSync(serverLogFile, 'utf8'));
      const reportFile = join(RESULTS, 'vscode-logs.txt');
      writeFileSync(reportFile, report.join('\n') + '\n');
      console.log(report.join('\n'));
      console.log(`[vscode-server] logs: ${resolve(reportFile)}`);
      if (existsSync(screenshot)) console.log(`[vscode-server] screenshot: ${resolve(screenshot)}`);
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the try block caught, after the report.
    if (failure !== undefined) throw failure;
    assert.equal(exitCode, 0, `the integration suite failed in VS Code (exit code ${exitCode}); see the log above and ${relative(root, RESULTS)}/`);
    // A pass leaves no stale failure report behind.
    rmSync(join(RESULTS, 'failure.png'), { force: true });
    rmSync(join(RESULTS, 'vscode-logs.txt'), { force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
