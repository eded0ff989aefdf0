// The type declarations of dist/engine.mjs as one file, dist/engine.d.mts, so code exported for the
// `engine` target type-checks against the runtime written beside it (docs/export.md).
//
// dts-bundle-generator rolls the engine's declarations (engine/index.ts and everything it re-exports)
// into a single module. It is rebuilt only when a file under engine/ (or this script) is newer than
// the output, because the bundler type-checks the engine and takes several seconds.
//   node scripts/build-engine-dts.mjs [--force]
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'engine.d.mts');
const ENTRY = join(ROOT, 'scripts', 'engine-dts-entry.ts');
const SOURCES = [join(ROOT, 'engine'), ENTRY, fileURLToPath(import.meta.url)];

// The reference keeps the declarations valid in a project on tsc's defaults (target ES5, whose library
// lacks Map, Iterable and the like), as the exported modules are.
const BANNER = `// Type declarations of the Backprop Studio engine (engine.mjs), bundled by dts-bundle-generator.
// The engine's API is described in docs/engine.md of the Backprop Studio repository.
/// <reference lib="es2020" />
`;

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export function buildEngineDts({ force = false } = {}) {
  if (!force && existsSync(OUT) && statSync(OUT).mtimeMs >= Math.max(...SOURCES.map(newestMtime))) return false;
  const require = createRequire(import.meta.url);
  const { generateDtsBundle } = require('dts-bundle-generator');
  let text;
  try {
    [text] = generateDtsBundle([{ filePath: ENTRY, output: { noBanner: true, exportReferencedTypes: true } }], {
      preferredConfigPath: join(ROOT, 'engine', 'tsconfig.json'),
    });
  } catch (e) {
    // The engine does not type-check right now: keep the last good declarations rather than fail the build.
    if (!existsSync(OUT)) throw e;
    console.warn(`build-engine-dts: dist/engine.d.mts not rebuilt: ${e.message.split('\n')[0]}`);
    return false;
  }
  // Two-space indentation, as the rest of the exported code.
  const body = text.replace(/^\t+/gm, (tabs) => '  '.repeat(tabs.length));
  writeFileSync(OUT, BANNER + body);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildEngineDts({ force: process.argv.includes('--force') });
}
