// Builds the engine's WebAssembly kernels (engine/backend/wasm/assembly/, AssemblyScript) into dist/kernels/:
// four variants of one module, {plain SIMD, relaxed SIMD} × {private memory, shared memory for worker threads}.
// Nothing is downloaded: the compiler is the `assemblyscript` dev dependency. Skipped when the sources and flags
// are unchanged since the last build (a hash in dist/kernels/.hash).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import asc from 'assemblyscript/asc';

const SRC = 'engine/backend/wasm/assembly';
const OUT = 'dist/kernels';

/** File name → extra compiler flags. Kept in step with engine/backend/wasm/binaries.ts. */
export const KERNEL_VARIANTS = {
  'simd.wasm': [],
  'relaxed.wasm': ['--enable', 'relaxed-simd'],
  'simd-shared.wasm': ['--enable', 'threads', '--sharedMemory'],
  'relaxed-shared.wasm': ['--enable', 'relaxed-simd', '--enable', 'threads', '--sharedMemory'],
};

const BASE_FLAGS = ['-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--enable', 'simd', '--maximumMemory', '32768'];

export async function buildKernels({ force = false } = {}) {
  const sources = readdirSync(SRC)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(readFileSync(path.join(SRC, f)));
  hash.update(JSON.stringify([BASE_FLAGS, KERNEL_VARIANTS, JSON.parse(readFileSync('node_modules/assemblyscript/package.json', 'utf8')).version]));
  const digest = hash.digest('hex');
  const stamp = path.join(OUT, '.hash');
  const complete = Object.keys(KERNEL_VARIANTS).every((f) => existsSync(path.join(OUT, f)));
  if (!force && complete && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return false;
  mkdirSync(OUT, { recursive: true });
  for (const [file, flags] of Object.entries(KERNEL_VARIANTS)) {
    const args = [path.join(SRC, 'index.ts'), ...BASE_FLAGS, ...flags, '--outFile', path.join(OUT, file)];
    let stderr = '';
    // asc's OutputStream may be handed bytes as well as text (`chunk: Uint8Array | string`): bytes appended as they
    // are would read "72,101,…".
    const { error } = await asc.main(args, { stderr: { write: (s) => (stderr += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')) } });
    if (error) throw new Error(`building ${file} failed: ${error.message}\n${stderr}`);
  }
  writeFileSync(stamp, digest);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildKernels({ force: process.argv.includes('--force') });
  console.log(built ? `built ${OUT}` : `${OUT} is up to date`);
}
