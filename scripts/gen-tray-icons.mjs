#!/usr/bin/env node
// Draws the tray icons into assets/tray (run: node scripts/gen-tray-icons.mjs). No dependencies:
// shapes are signed-distance tests supersampled 4×4 per pixel, written as RGBA PNG with zlib.
//   tray-<state>.png / @2x           coloured (Windows, Linux)
//   tray-<state>Template.png / @2x   black + alpha (macOS template images, tinted by the OS)
// The glyph is a tunnel mouth (a ring); the state adds: ready a centre dot, connecting an open
// arc, degraded a dot and a badge, error a cross, off a slash.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'tray');
const COLORS = {
  off: [0x8a, 0x8f, 0x98],
  connecting: [0x25, 0x63, 0xeb],
  ready: [0x16, 0xa3, 0x4a],
  degraded: [0xd9, 0x77, 0x06],
  error: [0xdc, 0x26, 0x26],
};
const SIZES = [
  [16, ''],
  [32, '@2x'],
];

const C = 0.5;
const RING_R = 0.34;
const RING_W = 0.12;
const disc = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) <= r;
const ring = (x, y) => Math.abs(Math.hypot(x - C, y - C) - RING_R) <= RING_W / 2;
function segment(x, y, ax, ay, bx, by, w) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= w / 2;
}
/** The open arc: the ring without a quarter at the top right (a spinner-like gap). */
function arc(x, y) {
  if (!ring(x, y)) return false;
  const a = Math.atan2(C - y, x - C); // 0 = right, π/2 = up
  return !(a > 0.15 && a < 1.45);
}

const SHAPES = {
  ready: (x, y) => ring(x, y) || disc(x, y, C, C, 0.13),
  connecting: (x, y) => arc(x, y) || disc(x, y, C, C, 0.08),
  degraded: (x, y) => {
    if (disc(x, y, 0.79, 0.79, 0.2)) return disc(x, y, 0.79, 0.79, 0.14);
    return ring(x, y) || disc(x, y, C, C, 0.11);
  },
  error: (x, y) =>
    ring(x, y) ||
    segment(x, y, C - 0.12, C - 0.12, C + 0.12, C + 0.12, 0.1) ||
    segment(x, y, C - 0.12, C + 0.12, C + 0.12, C - 0.12, 0.1),
  off: (x, y) => {
    if (segment(x, y, 0.12, 0.88, 0.88, 0.12, 0.26)) return segment(x, y, 0.12, 0.88, 0.88, 0.12, 0.1);
    return ring(x, y);
  },
};

function coverage(shape, size) {
  const n = 4;
  const out = new Float64Array(size * size);
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++)
          if (shape((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)) hits++;
      out[py * size + px] = hits / (n * n);
    }
  return out;
}

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
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
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const [state, shape] of Object.entries(SHAPES)) {
  for (const [size, suffix] of SIZES) {
    const cov = coverage(shape, size);
    for (const template of [false, true]) {
      const rgb = template ? [0, 0, 0] : COLORS[state];
      // The "off" template is drawn fainter, as macOS does for inactive menu-bar items.
      const alphaScale = template && state === 'off' ? 0.6 : 1;
      const rgba = Buffer.alloc(size * size * 4);
      cov.forEach((a, i) => rgba.set([...rgb, Math.round(a * alphaScale * 255)], i * 4));
      const name = `tray-${state}${template ? 'Template' : ''}${suffix}.png`;
      writeFileSync(join(OUT, name), png(size, rgba));
    }
  }
}
console.log(`tray icons written to ${OUT}`);
