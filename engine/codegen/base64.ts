/**
 * Base64 for embedded weights: the encoder runs at export time; the decoder is emitted as TypeScript
 * source into the exported module (no `atob`, which plain TypeScript projects without the DOM or Node
 * type libraries do not declare).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648, with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const n = (a << 16) | (b << 8) | c;
    chunk += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    chunk += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    chunk += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Base64 text cut into lines of `width` characters (a multiple of 4, so each line decodes alone). */
export function base64Lines(bytes: Uint8Array, width = 100): string[] {
  const text = encodeBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines.length ? lines : [''];
}

/** `const NAME = [ '...', ... ].join('');` holding the bytes as base64, one line per chunk. */
export function base64Constant(name: string, bytes: Uint8Array, doc: string): string {
  const lines = base64Lines(bytes).map((l) => `  '${l}',`);
  return [`/** ${doc} */`, `const ${name} = [`, ...lines, `].join('');`].join('\n');
}

/** The decoder, as source text for an exported module. */
export const DECODE_BASE64_SOURCE = `/** Decodes standard base64 (as embedded above) into bytes. */
function decodeBase64(text: string): Uint8Array {
  const alphabet = '${ALPHABET}';
  const lookup = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? (lookup[code] ?? -1) : -1;
    if (v < 0) throw new Error(\`embedded weights: invalid base64 character at \${i}\`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 255;
    }
  }
  return out;
}`;
