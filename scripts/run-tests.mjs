// Runs the test suite on node's built-in test runner (TypeScript through tsx).
//   node scripts/run-tests.mjs           every test: unit, command line, browser and VS Code
//   node scripts/run-tests.mjs --unit    the quick subset for the edit-test loop
//   node scripts/run-tests.mjs FILTER    only files whose path contains FILTER
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

// Suites that need a browser or a VS Code server: slow, so not in the quick subset.
const SLOW = ['test/browser/', 'test/vscode/', 'test/e2e/'];
// Not node tests: mocha suites that run inside VS Code's extension host (test/vscode/vscode-server.test.ts runs them).
const NOT_NODE = ['test/vscode/suite/'];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk('test')
  .map((p) => relative('.', p).split('\\').join('/'))
  .filter((p) => p.endsWith('.test.ts') && !NOT_NODE.some((s) => p.startsWith(s)))
  .filter((p) => !unitOnly || !SLOW.some((s) => p.startsWith(s)))
  .filter((p) => filters.length === 0 || filters.some((f) => p.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

// VS Code's Electron runs WebAssembly relaxed SIMD; Node 20 only behind a flag: give it to every test process so
// the suite runs the kernels users get. test/kernels/plainRuntime.test.ts runs the kernel tests again without it.
const relaxed = 'dist/kernels/relaxed.wasm';
const relaxedFlag = existsSync(relaxed) && !WebAssembly.validate(readFileSync(relaxed)) ? ['--experimental-wasm-relaxed-simd'] : [];

const r = spawnSync(process.execPath, [...relaxedFlag, '--import', 'tsx', '--test', '--test-reporter=tap', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
