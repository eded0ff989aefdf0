// Proves `npm start` works in the browser: runs it, opens the printed URL in headless Chromium, checks that the
// workbench shows examples/, that the palette lists the extension's commands, and that xor.nn.json opens in the
// graph editor (which needs the extension active), takes screenshots, then stops `npm start` as Ctrl-C would.
//
//   node scripts/check-start.mjs [--out DIR]     (default DIR: test-results/start)
//
// Needs Debian's chromium (apt-get install -y chromium) and playwright-core (a devDependency).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const outDir = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : 'test-results/start');
mkdirSync(outDir, { recursive: true });
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const log = (m) => console.log(`[check-start] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `npm start -- --browser`: the browser path even where desktop `code` is installed.
const start = spawn('npm', ['start', '--', '--browser'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const url = await new Promise((res, rej) => {
  const onData = (d) => {
    output += d;
    process.stdout.write(d);
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output);
    if (m) res(m[1]);
  };
  start.stdout.on('data', onData);
  start.stderr.on('data', onData);
  start.on('exit', (code) => rej(new Error(`npm start exited (${code}) before printing a URL`)));
  setTimeout(() => rej(new Error('no URL from npm start within 15 minutes')), 15 * 60_000).unref();
});
log(`npm start printed ${url}`);

const failures = [];
const check = (ok, what) => {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) consoleErrors.push(m.text());
  });
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const xorRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'xor.nn.json' });
  await xorRow.waitFor({ timeout: 60_000 });
  check(true, 'the workbench shows examples/ with xor.nn.json in the explorer');
  await sleep(3000);
  await page.screenshot({ path: join(outDir, '1-workbench.png') });

  // The palette: an extension's commands can show up a few seconds late on a fresh profile; retry.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backprop Studio: New Model' });
  let listed = false;
  for (let i = 0; i < 10 && !listed; i++) {
    await page.keyboard.press('F1');
    await input.waitFor();
    await input.fill('>Backprop Studio: New Model');
    listed = await row.waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (listed) await page.screenshot({ path: join(outDir, '2-palette.png') });
    await page.keyboard.press('Escape');
  }
  check(listed, 'the command palette lists "Backprop Studio: New Model"');

  // Opening the model activates the extension; its custom editor's webview shows the node list.
  await xorRow.dblclick();
  const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const shown = await view
    .locator('#root[data-state="ok"] h1', { hasText: 'XOR classifier' })
    .waitFor({ timeout: 60_000 })
    .then(() => true, () => false);
  check(shown, 'xor.nn.json opens in the Backprop Studio graph editor (extension active, webview script ran under the CSP)');
  if (shown) check((await view.locator('.nodes li').count()) === 6, 'the graph editor lists the 6 nodes of xor.nn.json');
  await sleep(1000);
  await page.screenshot({ path: join(outDir, '3-graph-editor.png') });

  // A command the extension registers answers with its notification.
  await page.keyboard.press('F1');
  await input.fill('>Backprop Studio: Train');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backprop Studio: Train' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const toast = await page
    .locator('.notifications-toasts', { hasText: 'arrives in a later version' })
    .waitFor({ timeout: 15_000 })
    .then(() => true, () => false);
  check(toast, '"Backprop Studio: Train" runs the extension\'s command (its notification shows)');
  await page.screenshot({ path: join(outDir, '4-train-command.png') });

  // Open as Text: the same file in VS Code's text editor (where jsonValidation's schema applies).
  await page.keyboard.press('F1');
  await input.fill('>Backprop Studio: Open as Text');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backprop Studio: Open as Text' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const asText = await page
    .locator('.editor-instance .monaco-editor .view-lines', { hasText: 'XOR classifier' })
    .waitFor({ timeout: 15_000 })
    .then(() => true, () => false);
  check(asText, '"Backprop Studio: Open as Text" opens xor.nn.json in the text editor');
  await sleep(1000);
  await page.screenshot({ path: join(outDir, '5-open-as-text.png') });
  check(consoleErrors.length === 0, `no CSP violations in the console${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
} catch (err) {
  failures.push(String(err));
  log(`error: ${err}`);
} finally {
  await browser.close();
  // Ctrl-C: SIGINT to npm start's process group; start.mjs then stops code-server.
  const exited = new Promise((r) => start.once('exit', (code, signal) => r(code ?? signal)));
  process.kill(-start.pid, 'SIGINT');
  const how = await Promise.race([exited, sleep(20_000).then(() => 'still running')]);
  check(how !== 'still running', `npm start stopped on Ctrl-C (${how})`);
  const port = Number(/:(\d+)\//.exec(url)[1]);
  const closed = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true);
  check(closed, 'code-server is gone after Ctrl-C');
}
log(`screenshots in ${outDir}`);
if (failures.length) {
  log(`${failures.length} check(s) failed`);
  process.exit(1);
}
log('all checks passed');
