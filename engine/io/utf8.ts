/**
 * UTF-8 encoding and strict decoding, written out so the engine needs neither DOM nor Node typings
 * (TextEncoder/TextDecoder are not in the ES2022 lib). Decoding rejects everything the Unicode
 * standard calls ill-formed: overlong forms, surrogate code points, values above U+10FFFF and
 * truncated sequences.
 */

export function utf8Encode(s: string): Uint8Array {
  // At most 3 bytes per UTF-16 code unit (a surrogate pair, 2 units, takes 4 bytes).
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate has no UTF-8 form
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, n);
}

/** The decoded string, or the byte offset (relative to `bytes`) of the first ill-formed sequence. */
export function utf8Decode(bytes: Uint8Array): { ok: true; text: string } | { ok: false; offset: number } {
  const parts: string[] = [];
  const units: number[] = [];
  const flush = () => {
    parts.push(String.fromCharCode.apply(null, units));
    units.length = 0;
  };
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const start = i;
    const b0 = bytes[i++];
    let cp: number;
    if (b0 < 0x80) cp = b0;
    else {
      let need: number, min: number;
      if (b0 >= 0xc2 && b0 <= 0xdf) {
        need = 1;
        min = 0x80;
        cp = b0 & 0x1f;
      } else if (b0 >= 0xe0 && b0 <= 0xef) {
        need = 2;
        min = 0x800;
        cp = b0 & 0x0f;
      } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        need = 3;
        min = 0x10000;
        cp = b0 & 0x07;
      } else return { ok: false, offset: start };
      if (i + need > n) return { ok: false, offset: start };
      for (let k = 0; k < need; k++) {
        const b = bytes[i++];
        if ((b & 0xc0) !== 0x80) return { ok: false, offset: start };
        cp = (cp << 6) | (b & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { ok: false, offset: start };
    }
    if (cp < 0x10000) units.push(cp);
    else {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    }
    if (units.length >= 8192) flush();
  }
  flush();
  return { ok: true, text: parts.join('') };
}
