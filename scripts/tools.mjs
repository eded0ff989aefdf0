// The tools that run a real VS Code on a machine without desktop VS Code: Node 24 and code-server, both from
// npm, installed into the git-ignored .tools/ folder (see ../shared/notes/real-vscode.md). Used by
// `npm start` (scripts/start.mjs), the VS Code integration test (test/vscode/vscode-server.test.ts), the
// end-to-end UI test (test/e2e/ui.test.ts) and CI.
//
//   node scripts/tools.mjs     install what is missing (one time: a few minutes, about 1 GB), print the paths
//
// Each ensure* function returns at once when the right version is already there; failures throw ToolsError.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = 24;

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const tools = join(root, '.tools');
export const node24Dir = join(tools, 'node24');
export const node24Bin = join(node24Dir, 'node_modules', 'node', 'bin');
export const node24 = join(node24Bin, 'node');
const node24Headers = join(node24Dir, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
export const csDir = join(tools, 'cs');
export const csPackage = join(csDir, 'node_modules', 'code-server');
/** code-server itself (the wrapper `npm start` runs). */
export const csEntry = join(csPackage, 'out', 'node', 'entry.js');
/** The VS Code server bundled in code-server: what the integration tests run (it takes --enable-smoke-test-driver). */
export const vscodeServerMain = join(csPackage, 'lib', 'vscode', 'out', 'server-main.js');

export class ToolsError extends Error {}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const defaultLog = (msg) => console.log(`[tools] ${msg}`);

/** The full path of an executable on PATH, or undefined. */
export function onPath(name) {
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

function run(log, cmd, cmdArgs, env = process.env) {
  log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env, cwd: root });
  if (r.status !== 0) throw new ToolsError(`\`${cmd} ${cmdArgs.join(' ')}\` failed (exit ${r.status ?? r.signal})`);
}

function nodeVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

export function installedCodeServerVersion() {
  try {
    return existsSync(csEntry) && existsSync(vscodeServerMain) ? JSON.parse(readFileSync(join(csPackage, 'package.json'), 'utf8')).version : '';
  } catch {
    return '';
  }
}

/** Kerberos headers: code-server's native modules build from source and need them (Debian: libkrb5-dev). */
export function ensureKrb5Headers(log = defaultLog) {
  const hasHeaders = () => onPath('krb5-config') || existsSync('/usr/include/gssapi/gssapi.h') || existsSync('/usr/include/krb5.h');
  if (process.platform !== 'linux' || hasHeaders()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log('installing libkrb5-dev (headers code-server needs to build)');
    if (spawnSync('apt-get', ['install', '-y', 'libkrb5-dev'], { stdio: 'inherit', env }).status !== 0) {
      run(log, 'apt-get', ['update'], env);
      run(log, 'apt-get', ['install', '-y', 'libkrb5-dev'], env);
    }
  } else {
    log('warning: Kerberos headers not found; if the install fails, install them (Debian/Ubuntu: sudo apt-get install -y libkrb5-dev) and rerun');
  }
}

/** Node 24 in .tools/node24 (code-server needs it); returns its version. */
export function ensureNode24(log = defaultLog) {
  const v = existsSync(node24) ? nodeVersion(node24) : '';
  if (v.startsWith(`v${NODE_MAJOR}.`)) return v;
  log(`installing Node ${NODE_MAJOR} from npm into .tools/node24 (one time, about 190 MB)`);
  mkdirSync(node24Dir, { recursive: true });
  run(log, npm, ['--prefix', node24Dir, 'install', '--no-audit', '--no-fund', `node@${NODE_MAJOR}`]);
  const after = existsSync(node24) ? nodeVersion(node24) : '';
  if (!after.startsWith(`v${NODE_MAJOR}.`)) throw new ToolsError(`Node ${NODE_MAJOR} did not install into ${node24Dir}`);
  return after;
}

/** code-server CODE_SERVER_VERSION in .tools/cs (needs Node 24 first). */
export function ensureCodeServer(log = defaultLog) {
  if (installedCodeServerVersion() === CODE_SERVER_VERSION) return;
  ensureKrb5Headers(log);
  log(`installing code-server ${CODE_SERVER_VERSION} from npm into .tools/cs (one time, a few minutes, about 0.8 GB)`);
  mkdirSync(csDir, { recursive: true });
  const env = {
    ...process.env,
    PATH: node24Bin + delimiter + (process.env.PATH ?? ''),
    npm_config_nodedir: node24Headers,
  };
  run(log, npm, ['--prefix', csDir, 'install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], env);
  if (installedCodeServerVersion() !== CODE_SERVER_VERSION) throw new ToolsError(`code-server ${CODE_SERVER_VERSION} did not install into ${csDir}`);
}

/** Both, in order; returns the Node 24 version. */
export function ensureTools(log = defaultLog) {
  const v = ensureNode24(log);
  ensureCodeServer(log);
  return v;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const v = ensureTools();
    defaultLog(`node ${v}: ${node24}`);
    defaultLog(`code-server ${CODE_SERVER_VERSION}: ${csEntry}`);
    defaultLog(`VS Code server: ${vscodeServerMain}`);
  } catch (e) {
    console.error(`[tools] error: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
