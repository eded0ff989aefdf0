// The project's dependency arrows (docs/development.md, "Architecture"): extension → engine, webview → engine,
// cli → engine, never back. Every relative import of every source file is resolved to the folder it lands in and
// checked against the folders that folder may import; the engine imports no package at all, and nothing outside the
// host and the command line imports Node or VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Which top-level folders each folder's sources may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  engine: [],
  protocol: ['engine'],
  webview: ['engine', 'protocol'],
  common: ['engine'],
  extension: ['engine', 'protocol', 'common'],
  cli: ['engine', 'common'],
};
/** Packages a folder may import: the engine none (it has no runtime dependencies), the webview no Node or VS Code. */
function packageProblem(folder: string, spec: string): string | null {
  if (folder === 'engine' || folder === 'protocol') return `imports the package '${spec}'`;
  const nodeOrVsCode = spec === 'vscode' || spec.startsWith('node:');
  if (folder === 'webview' && nodeOrVsCode) return `imports '${spec}' (the webview has no Node or VS Code)`;
  if ((folder === 'common' || folder === 'cli') && spec === 'vscode') return `imports 'vscode'`;
  return null;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'assembly') return [];
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function violations(): string[] {
  const found: string[] = [];
  for (const folder of Object.keys(MAY_IMPORT)) {
    for (const file of sources(join(ROOT, folder))) {
      const where = relative(ROOT, file).split('\\').join('/');
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) {
          // Bundler-provided virtual modules (esbuild.mjs) are the project's own code.
          if (spec.startsWith('bps:')) continue;
          const problem = packageProblem(folder, spec);
          if (problem) found.push(`${where} ${problem}`);
          continue;
        }
        const target = relative(ROOT, normalize(join(dirname(file), spec)))
          .split('\\')
          .join('/');
        const top = target.split('/')[0];
        if (top !== folder && !MAY_IMPORT[folder].includes(top)) found.push(`${where} imports ${target} (${folder} → ${top})`);
      }
    }
  }
  return found;
}

test('every import follows the dependency arrows', () => {
  assert.deepEqual(violations(), []);
});

test('the check sees imports in every form it has to catch', () => {
  const forms = [
    "import { a } from '../x';",
    "import type { A } from '../x';",
    "export { a } from '../x';",
    "export type { A } from '../x';",
    "const m = await import('../x');",
    "import '../x';",
    "import {\n  a,\n  b,\n} from '../x';",
  ];
  for (const form of forms)
    assert.deepEqual(
      [...('\n' + form).matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]),
      ['../x'],
      form,
    );
});
