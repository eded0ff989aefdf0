// `npm run test:vscode`: the VS Code integration suite (test/vscode/suite/, bundled to dist-test/vscode/ by the
// build) in desktop VS Code under @vscode/test-electron, for machines that can download VS Code (it fetches a
// copy into .vscode-test/ on first use). Where VS Code cannot be downloaded, `npm test` runs the same suite
// through the VS Code server route instead (test/vscode/vscode-server.test.ts).
//
//   node scripts/test-vscode.mjs [--version stable|insiders|1.95.0]   (default: $VSCODE_VERSION or stable)
//
// VSCODE_EXECUTABLE: an installed VS Code to use instead of downloading one. BPS_VSCODE_GREP: only the tests
// whose title matches. On Linux without a display, run it under xvfb-run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const version = args.includes('--version') ? args[args.indexOf('--version') + 1] : process.env.VSCODE_VERSION || 'stable';
const extensionTestsPath = join(root, 'dist-test', 'vscode', 'index.js');

if (!existsSync(extensionTestsPath)) {
  console.error(`[test-vscode] ${extensionTestsPath} is missing: run \`npm run build\` first (npm run test:vscode does)`);
  process.exit(1);
}

// A throw-away workspace, settings and extensions folder: the suite writes its files into the workspace.
const tmp = mkdtempSync(join(tmpdir(), 'bps-vscode-electron-'));
const workspace = join(tmp, 'workspace');
let code = 0;
try {
  mkdirSync(workspace);
  await runTests({
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version }),
    extensionDevelopmentPath: root,
    extensionTestsPath,
    extensionTestsEnv: process.env.BPS_VSCODE_GREP ? { BPS_VSCODE_GREP: process.env.BPS_VSCODE_GREP } : undefined,
    launchArgs: [
      workspace,
      '--disable-extensions', // only the extension under test (test-electron adds --disable-workspace-trust and the rest)
      `--user-data-dir=${join(tmp, 'user-data')}`,
      `--extensions-dir=${join(tmp, 'extensions')}`,
    ],
  });
} catch (e) {
  console.error(`[test-vscode] the integration suite failed: ${e instanceof Error ? e.message : e}`);
  code = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
