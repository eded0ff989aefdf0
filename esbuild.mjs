// One bundler for every target: the extension host, the command line, worker threads and the webview.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildEngineDts } from './scripts/build-engine-dts.mjs';
import { buildKernels } from './scripts/build-kernels.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"', __VERSION__: JSON.stringify(pkg.version) },
};

// `module` first: some packages (jsonc-parser) ship a UMD `main` whose `require` calls esbuild cannot follow,
// beside an ES-module build that bundles cleanly.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };

/**
 * The webview's WebGPU training worker, bundled into a string that webview.js imports as `bps:gpu-worker` and
 * starts from a blob: URL (a webview cannot start a worker from its resource URLs). In --watch it is built once.
 */
const gpuWorkerEntry = 'webview/gpu/worker.ts';
async function gpuWorkerSource() {
  const r = await esbuild.build({
    ...common,
    sourcemap: production ? false : 'inline',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: [gpuWorkerEntry],
    write: false,
  });
  return r.outputFiles[0].text;
}
const gpuWorkerPlugin = {
  name: 'gpu-worker',
  setup(build) {
    build.onResolve({ filter: /^bps:gpu-worker$/ }, () => ({ path: 'gpu-worker', namespace: 'bps-gpu-worker' }));
    build.onLoad({ filter: /.*/, namespace: 'bps-gpu-worker' }, async () => ({
      contents: `export default ${JSON.stringify(await gpuWorkerSource())};`,
      loader: 'js',
      watchFiles: [],
    }));
  },
};

/** @type {esbuild.BuildOptions[]} */
const targets = [
  { ...node, entryPoints: { extension: 'extension/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  // `webgpu` (Dawn, a native addon, an optional dependency) is loaded from node_modules only for --backend webgpu.
  { ...node, entryPoints: { cli: 'cli/main.ts' }, outdir: 'dist', external: ['webgpu'] },
  { ...node, entryPoints: { trainWorker: 'extension/training/worker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { gradcheckWorker: 'extension/gradcheck/worker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { kernelWorker: 'common/kernelWorker.ts' }, outdir: 'dist' },
  // The engine as one ES module: what exported TypeScript imports when no engine package is installed.
  {
    ...common,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    entryPoints: { engine: 'engine/index.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { webview: 'webview/main.tsx', 'webview-toolkit': 'webview/ui/toolkitElements.ts' },
    outdir: 'dist',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
    jsx: 'automatic',
    plugins: existsSync(gpuWorkerEntry) ? [gpuWorkerPlugin] : [],
  },
].filter((t) => Object.values(t.entryPoints).every((p) => existsSync(p)));

// The VS Code integration tests (test/vscode/, not shipped; skipped by --production): the mocha entry that
// VS Code loads as extensionTestsPath, and one bundle per suite, into dist-test/vscode/. `vscode` is the
// extension host's; mocha is loaded from node_modules at run time.
const vscodeSuites = existsSync('test/vscode/suite')
  ? readdirSync('test/vscode/suite')
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => `test/vscode/suite/${f}`)
  : [];
if (!production && existsSync('test/vscode/index.ts') && vscodeSuites.length > 0) {
  targets.push({
    ...node,
    entryPoints: ['test/vscode/index.ts', ...vscodeSuites],
    outbase: 'test/vscode',
    outdir: 'dist-test/vscode',
    external: ['vscode', 'mocha'],
  });
}

/** The JSON Schema of *.nn.json is generated from the engine's op registry, so it cannot drift. */
async function writeSchema() {
  const out = 'dist/.schema-gen.cjs';
  await esbuild.build({ ...node, sourcemap: false, minify: false, entryPoints: ['engine/graph/schema.ts'], outfile: out });
  const require = createRequire(import.meta.url);
  delete require.cache[require.resolve('./' + out)];
  const { buildJsonSchema } = require('./' + out);
  writeFileSync('dist/nn-graph.schema.json', JSON.stringify(buildJsonSchema(), null, 2) + '\n');
  rmSync(out);
}

mkdirSync('dist', { recursive: true });
// The digits dataset shipped with the extension and the command line (built once from the mnist package).
if (!existsSync('dist/digits.bin')) (await import('./scripts/make-digits.mjs')).makeDigits();
// The engine's WebAssembly SIMD kernels (dist/kernels/*.wasm), compiled from AssemblyScript when changed.
await buildKernels();
if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context(t);
    await ctx.watch();
  }
  if (existsSync('engine/graph/schema.ts')) await writeSchema();
  if (existsSync('engine/index.ts')) buildEngineDts();
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  if (existsSync('engine/graph/schema.ts')) await writeSchema();
  // dist/engine.mjs's type declarations, written beside code exported for the engine target.
  if (existsSync('engine/index.ts')) buildEngineDts();
}
