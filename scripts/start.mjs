// Opens examples/ in a real VS Code with this extension loaded (run through `npm start`, after the build).
//
//   node scripts/start.mjs             desktop VS Code when `code` is on PATH, else VS Code in the browser
//   node scripts/start.mjs --browser   always VS Code in the browser (code-server on 127.0.0.1)
//   node scripts/start.mjs --port N    the port for code-server (default: a free one)
//
// VS Code in the browser: on first use Node 24 and code-server are installed from npm into the git-ignored
// .tools/ folder (a few minutes, about 1 GB; see ../shared/notes/real-vscode.md); later runs skip that.
// code-server then runs on 127.0.0.1 with throw-away settings under .tools/sessions/ until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE_SERVER_VERSION = '4.139.1';
const NODE_MAJOR = 24;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');
const tools = join(root, '.tools');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

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

/** The full path of an executable on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of process.platform === 'win32' ? ['.cmd', '.exe', ''] : ['']) {
      const p = join(dir, name + ext);
      try {
        if (statSync(p).isFile()) return p;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
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

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const node24Dir = join(tools, 'node24');
const node24Bin = join(node24Dir, 'node_modules', 'node', 'bin');
const node24 = join(node24Bin, 'node');
const node24Headers = join(node24Dir, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
const csDir = join(tools, 'cs');
const csPackage = join(csDir, 'node_modules', 'code-server');
const csEntry = join(csPackage, 'out', 'node', 'entry.js');

function run(cmd, cmdArgs, env = process.env) {
  log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env, cwd: root });
  if (r.status !== 0) fail(`\`${cmd} ${cmdArgs.join(' ')}\` failed (exit ${r.status ?? r.signal})`);
}

function nodeVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function installedCodeServerVersion() {
  try {
    return existsSync(csEntry) ? JSON.parse(readFileSync(join(csPackage, 'package.json'), 'utf8')).version : '';
  } catch {
    return '';
  }
}

/** Kerberos headers: code-server's native modules build from source and need them (Debian: libkrb5-dev). */
function ensureKrb5Headers() {
  const hasHeaders = () => onPath('krb5-config') || existsSync('/usr/include/gssapi/gssapi.h') || existsSync('/usr/include/krb5.h');
  if (process.platform !== 'linux' || hasHeaders()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log('installing libkrb5-dev (headers code-server needs to build)');
    if (spawnSync('apt-get', ['install', '-y', 'libkrb5-dev'], { stdio: 'inherit', env }).status !== 0) {
      run('apt-get', ['update'], env);
      run('apt-get', ['install', '-y', 'libkrb5-dev'], env);
    }
  } else {
    log('warning: Kerberos headers not found; if the install fails, install them (Debian/Ubuntu: sudo apt-get install -y libkrb5-dev) and rerun');
  }
}

function ensureNode24() {
  const v = existsSync(node24) ? nodeVersion(node24) : '';
  if (v.startsWith(`v${NODE_MAJOR}.`)) return v;
  log(`installing Node ${NODE_MAJOR} from npm into .tools/node24 (one time, about 190 MB)`);
  mkdirSync(node24Dir, { recursive: true });
  run(npm, ['--prefix', node24Dir, 'install', '--no-audit', '--no-fund', `node@${NODE_MAJOR}`]);
  const after = existsSync(node24) ? nodeVersion(node24) : '';
  if (!after.startsWith(`v${NODE_MAJOR}.`)) fail(`Node ${NODE_MAJOR} did not install into ${node24Dir}`);
  return after;
}

function ensureCodeServer() {
  if (installedCodeServerVersion() === CODE_SERVER_VERSION) return;
  ensureKrb5Headers();
  log(`installing code-server ${CODE_SERVER_VERSION} from npm into .tools/cs (one time, a few minutes, about 0.8 GB)`);
  mkdirSync(csDir, { recursive: true });
  const env = {
    ...process.env,
    PATH: node24Bin + delimiter + (process.env.PATH ?? ''),
    npm_config_nodedir: node24Headers,
  };
  run(npm, ['--prefix', csDir, 'install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], env);
  if (installedCodeServerVersion() !== CODE_SERVER_VERSION) fail(`code-server ${CODE_SERVER_VERSION} did not install into ${csDir}`);
}

/** Loads the extension without packaging: EXTDIR/<publisher>.<name>-<version> is a symlink to the repo. */
function linkExtension(extensionsDir) {
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

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

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

const nodeV = ensureNode24();
ensureCodeServer();

const extensionsDir = join(tools, 'vscode', 'extensions');
const link = linkExtension(extensionsDir);
mkdirSync(join(tools, 'sessions'), { recursive: true });
const session = mkdtempSync(join(tools, 'sessions', 'run-'));
for (const d of ['user-data', 'config', 'data']) mkdirSync(join(session, d));
const logFile = join(session, 'code-server.log');
const port = portArg || (await freePort());

log(`node ${nodeV}, code-server ${CODE_SERVER_VERSION}; extension linked at ${link}`);
const out = openSync(logFile, 'a');
const child = spawn(
  node24,
  [
    csEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', join(session, 'user-data'),
    '--extensions-dir', extensionsDir,
    examples,
  ],
  {
    cwd: root,
    detached: true, // its own process group, so that stopping it also stops its children
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      PATH: node24Bin + delimiter + (process.env.PATH ?? ''),
      XDG_CONFIG_HOME: join(session, 'config'),
      XDG_DATA_HOME: join(session, 'data'),
    },
  },
);

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
