#!/usr/bin/env node
// The command line, bundled by esbuild into dist/cli.js (built by `npm install` / `npm run build`).
const path = require('node:path');
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
