// Draws media/icon.png (128×128): a small neural network (2-3-2 nodes, every edge drawn) on a rounded tile.
// Usage: node scripts/make-icon.mjs [OUT.png]. No dependencies: shapes are signed distance fields with
// one-pixel anti-aliasing, and the PNG is written with node:zlib.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const out = process.argv[2] ?? new URL('../media/icon.png', import.meta.url);

// ---- geometry -----------------------------------------------------------------------------------------
const layers = [[44, 84].map((y) => [30, y]), [32, 64, 96].map((y) => [64, y]), [44, 84].map((y) => [98, y])];
const edges = [];
for (let l = 0; l + 1 < layers.length; l++) for (const a of layers[l]) for (const b of layers[l + 1]) edges.push([a, b]);

const sdRoundRect = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const sdSegment = (x, y, [ax, ay], [bx, by]) => {
  const px = x - ax,
    py = y - ay,
    dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * t, py - dy * t);
};
/** Coverage of a shape from its signed distance (negative inside), anti-aliased over one pixel. */
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

const TILE_TOP = hex('#2b2d6e');
const TILE_BOTTOM = hex('#141633');
const EDGE_FROM = hex('#4fc3f7'); // forward: blue on the left ...
const EDGE_TO = hex('#ff9e40'); // ... gradient orange on the right
const NODE_FILL = hex('#f5f7ff');
const NODE_RING = hex('#4fc3f7');
const OUTPUT_RING = hex('#ff9e40');

// ---- raster -------------------------------------------------------------------------------------------
const rgba = new Uint8Array(SIZE * SIZE * 4);
for (let j = 0; j < SIZE; j++) {
  for (let i = 0; i < SIZE; i++) {
    const x = i + 0.5,
      y = j + 0.5;
    let color = [0, 0, 0];
    let alpha = 0;
    const over = (c, a) => {
      // "over" compositing onto a possibly transparent backdrop
      const outA = a + alpha * (1 - a);
      if (outA > 0) color = color.map((v, k) => (c[k] * a + v * alpha * (1 - a)) / outA);
      alpha = outA;
    };

    over(mix(TILE_TOP, TILE_BOTTOM, y / SIZE), cover(sdRoundRect(x, y, 64, 64, 62, 62, 22)));
    let e = 0;
    for (const [a, b] of edges) e = Math.max(e, cover(sdSegment(x, y, a, b) - 1.4));
    if (e > 0) over(mix(EDGE_FROM, EDGE_TO, (x - 30) / 68), e * 0.85);
    layers.forEach((layer, l) => {
      for (const [cx, cy] of layer) {
        const d = Math.hypot(x - cx, y - cy);
        over(l === layers.length - 1 ? OUTPUT_RING : NODE_RING, cover(d - 11));
        over(NODE_FILL, cover(d - 7.5));
      }
    });

    const o = (j * SIZE + i) * 4;
    rgba[o] = Math.round(color[0]);
    rgba[o + 1] = Math.round(color[1]);
    rgba[o + 2] = Math.round(color[2]);
    rgba[o + 3] = Math.round(alpha * 255);
  }
}

// ---- PNG ----------------------------------------------------------------------------------------------
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // colour type: RGBA
// compression, filter, interlace: 0
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let j = 0; j < SIZE; j++) {
  raw[j * (SIZE * 4 + 1)] = 0; // filter: none
  Buffer.from(rgba.buffer, j * SIZE * 4, SIZE * 4).copy(raw, j * (SIZE * 4 + 1) + 1);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(out, png);
console.log(`wrote ${out instanceof URL ? out.pathname : out} (${png.length} bytes)`);
