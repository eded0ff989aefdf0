#!/usr/bin/env node
// The command line, bundled by esbuild into dist/cli.js (built by `npm install` / `npm run build`).
const path = require('node:path');
// Node 20 has WebAssembly relaxed SIMD behind a flag (Node 22 and VS Code's Electron have it on): turn it on before
// any module is compiled, so the engine's kernels get fused multiply-add. BACKPROP_RELAXED_SIMD=0 keeps plain SIMD.
try {
  const relaxed = require('node:fs').readFileSync(path.join(__dirname, '..', 'dist', 'kernels', 'relaxed.wasm'));
  if (process.env.BACKPROP_RELAXED_SIMD !== '0' && !WebAssembly.validate(relaxed)) require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
} catch {
  // No kernels built: the engine runs its TypeScript kernels.
}
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'cli.js'));
} catch (e) {
  process.stderr.write('backprop-studio: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(70);
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
