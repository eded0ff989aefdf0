// Opens examples/ in a real VS Code with this extension loaded (run through `npm start`, after the build).
//
//   node scripts/start.mjs             desktop VS Code when `code` is on PATH, else VS Code in the browser
//   node scripts/start.mjs --browser   always VS Code in the browser (code-server on 127.0.0.1)
//   node scripts/start.mjs --port N    the port for code-server (default: a free one)
//
// VS Code in the browser: on first use Node 24 and code-server are installed from npm into the git-ignored
// .tools/ folder (scripts/tools.mjs: a few minutes, about 1 GB; see ../shared/notes/real-vscode.md); later runs skip that.
// code-server then runs on 127.0.0.1 with throw-away settings under .tools/sessions/ until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_SERVER_VERSION, ensureCodeServer, ensureNode24, node24, onPath, root, tools, ToolsError } from './tools.mjs';
import { codeServerArgs, codeServerEnv, freePort, linkExtension } from './vscode-browser.mjs';

const examples = join(root, 'examples');

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 0;
if (args.includes('--port') && !(Number.isInteger(portArg) && portArg > 0 && portArg < 65536)) fail('--port needs a port number');

function log(msg) {
  console.log(`[start] ${msg}`);
}

function fail(msg) {
  console.error(`[start] error: ${msg}`);
  process.exit(1);
}

if (!existsSync(join(root, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run `npm start` (it builds first) or `npm run build`');
if (!existsSync(examples)) fail(`${examples} is missing`);

// ---- Desktop VS Code -------------------------------------------------------------------------------
const code = forceBrowser ? undefined : onPath('code');
if (code) {
  log(`opening ${examples} in desktop VS Code (${code})`);
  const r = spawnSync(code, [`--extensionDevelopmentPath=${root}`, examples], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(r.status ?? 1);
}

// ---- VS Code in the browser: code-server ------------------------------------------------------------
if (process.platform !== 'linux' && process.platform !== 'darwin') fail('VS Code in the browser needs Linux or macOS; install VS Code and put `code` on PATH');

async function waitForHealth(url, child, logFile, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
  console.error(tail);
  return false;
}

let nodeV;
try {
  nodeV = ensureNode24(log);
  ensureCodeServer(log);
} catch (e) {
  fail(e instanceof ToolsError ? e.message : String(e));
}

const extensionsDir = join(tools, 'vscode', 'extensions');
const link = linkExtension(extensionsDir);
mkdirSync(join(tools, 'sessions'), { recursive: true });
const session = mkdtempSync(join(tools, 'sessions', 'run-'));
for (const d of ['user-data', 'config', 'data']) mkdirSync(join(session, d));
const logFile = join(session, 'code-server.log');
const port = portArg || (await freePort());

log(`node ${nodeV}, code-server ${CODE_SERVER_VERSION}; extension linked at ${link}`);
const out = openSync(logFile, 'a');
const child = spawn(node24, codeServerArgs({ port, userDataDir: join(session, 'user-data'), extensionsDir, folder: examples }), {
  cwd: root,
  detached: true, // its own process group, so that stopping it also stops its children
  stdio: ['ignore', out, out],
  env: codeServerEnv(join(session, 'config'), join(session, 'data')),
});

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const force = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 5000);
  const done = () => {
    clearTimeout(force);
    rmSync(session, { recursive: true, force: true });
    rmSync(join(tools, 'code-server.json'), { force: true });
    process.exit(code);
  };
  if (child.exitCode !== null || child.signalCode !== null) done();
  else child.once('exit', done);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));
child.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`[start] code-server exited (${code ?? signal}); its log: ${logFile}`);
  console.error(readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n'));
  stop(1);
});

if (!(await waitForHealth(`http://127.0.0.1:${port}/healthz`, child, logFile))) {
  console.error(`[start] code-server did not answer on 127.0.0.1:${port}; its log: ${logFile}`);
  stop(1);
} else {
  const url = `http://127.0.0.1:${port}/?folder=${encodeURI(examples)}`;
  writeFileSync(join(tools, 'code-server.json'), JSON.stringify({ url, port, pid: child.pid, log: logFile }, null, 2) + '\n');
  console.log('');
  console.log(`  Backprop Studio in VS Code (browser): ${url}`);
  console.log('');
  log(`code-server log: ${logFile}`);
  log('press Ctrl-C to stop');
}
