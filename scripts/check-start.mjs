// Proves `npm start` works in the browser: runs it, opens the printed URL in headless Chromium, checks that the
// workbench shows examples/, that the palette lists the extension's commands, that xor.nn.json opens in the
// graph editor (which needs the extension active), that Train runs a real training run to the end, takes
// screenshots, then stops `npm start` as Ctrl-C would. Training rewrites examples/xor.safetensors (git-ignored);
// the check puts the file back as it was.
//
//   node scripts/check-start.mjs [--out DIR]     (default DIR: test-results/start)
//
// Needs Debian's chromium (apt-get install -y chromium) and playwright-core (a devDependency). Not part of npm test.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { root } from './tools.mjs';
import { QUICK_INPUT_BOX, QUICK_INPUT_ROW, launchChromium, runCommand, webviewFrame } from './vscode-browser.mjs';

const args = process.argv.slice(2);
const outDir = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : 'test-results/start');
mkdirSync(outDir, { recursive: true });
const sidecar = join(root, 'examples', 'xor.safetensors');
const sidecarBefore = existsSync(sidecar) ? readFileSync(sidecar) : undefined;

const log = (m) => console.log(`[check-start] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fn()) return true;
    await sleep(250);
  }
  return false;
}

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

const browser = await launchChromium();
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

  // The palette: an extension's commands can show up a few seconds late on a fresh profile (runCommand retries).
  const listed = await runCommand(page, 'Backprop Studio: New Model', { run: false }).then(
    () => true,
    () => false,
  );
  check(listed, 'the command palette lists "Backprop Studio: New Model"');
  if (listed) {
    await page.keyboard.press('F1');
    await page.locator(QUICK_INPUT_BOX).fill('>Backprop Studio');
    await page.locator(QUICK_INPUT_ROW, { hasText: 'Backprop Studio: New Model' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(outDir, '2-palette.png') });
    await page.keyboard.press('Escape');
  }

  // Opening the model activates the extension; its custom editor's webview draws the graph with React Flow.
  await xorRow.dblclick();
  const view = webviewFrame(page);
  const shown = await view
    .locator('#root[data-state="ok"] h1', { hasText: 'XOR classifier' })
    .waitFor({ timeout: 60_000 })
    .then(
      () => true,
      () => false,
    );
  check(shown, 'xor.nn.json opens in the Backprop Studio graph editor (extension active, webview script ran under the CSP)');
  if (shown) {
    const nodes = view.locator('.react-flow__node');
    const six = await nodes
      .nth(5)
      .waitFor({ timeout: 15_000 })
      .then(
        async () => (await nodes.count()) === 6,
        () => false,
      );
    check(six, `the graph editor draws the 6 nodes of xor.nn.json (.react-flow__node: ${await nodes.count()})`);
  }
  await sleep(1000);
  await page.screenshot({ path: join(outDir, '3-graph-editor.png') });

  // Train runs for real: xor.nn.json's 300 one-step epochs (its inline truth table) in the extension host; the training panel shows the run
  // complete with its loss curve, and the weights file is written.
  const mtimeBefore = existsSync(sidecar) ? statSync(sidecar).mtimeMs : 0;
  const trained = await runCommand(page, 'Backprop Studio: Train')
    .then(() => view.locator('[data-testid="training-status"]', { hasText: /^Completed/ }).waitFor({ timeout: 120_000 }))
    .then(
      () => true,
      () => false,
    );
  const status = await view
    .locator('[data-testid="training-status"]')
    .textContent({ timeout: 1000 })
    .catch(() => '(no [data-testid="training-status"])');
  check(trained, `"Backprop Studio: Train" trains xor.nn.json to the end (training status: ${status})`);
  const points = Number(
    await view
      .locator('[data-testid="loss-chart"]')
      .getAttribute('data-points', { timeout: 1000 })
      .catch(() => 0),
  );
  check(points > 0, `the loss chart has points (data-points: ${points})`);
  const written = await waitUntil(() => existsSync(sidecar) && statSync(sidecar).mtimeMs > mtimeBefore, 15_000);
  check(written, 'the run wrote the weights to examples/xor.safetensors');
  await page.screenshot({ path: join(outDir, '4-train-command.png') });

  // Open as Text: the same file in VS Code's text editor (where jsonValidation's schema applies).
  await runCommand(page, 'Backprop Studio: Open as Text');
  const asText = await page
    .locator('.editor-instance .monaco-editor .view-lines', { hasText: 'XOR classifier' })
    .waitFor({ timeout: 15_000 })
    .then(
      () => true,
      () => false,
    );
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
  const closed = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => false,
    () => true,
  );
  check(closed, 'code-server is gone after Ctrl-C');
  // The weights file as it was before the check trained.
  if (sidecarBefore) writeFileSync(sidecar, sidecarBefore);
  else rmSync(sidecar, { force: true });
}
log(`screenshots in ${outDir}`);
if (failures.length) {
  log(`${failures.length} check(s) failed`);
  process.exit(1);
}
log('all checks passed');
