// Draws the app icon (a fledgling on a rounded square) and writes it as PNGs at every size the
// installers use: build/icons/<N>x<N>.png (Linux) and icon.png (1024 px; electron-builder makes the
// .icns and .ico from it). No dependencies: shapes are sampled 4x4 per pixel and written with zlib.
// Run: node build/icons/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
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
export function encodePng(size, rgba) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The colour at (x, y) in the unit square, or null outside the icon. */
function shade(x, y) {
  // rounded square, corner radius 0.22
  const r = 0.22;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  const inCircle = (px, py, pr) => (x - px) ** 2 + (y - py) ** 2 <= pr * pr;
  // eye, beak, wing, body, head (front to back)
  if (inCircle(0.6, 0.36, 0.035)) return [24, 32, 48];
  const beak = y > 0.36 && y < 0.46 && x > 0.7 && x < 0.86 - Math.abs(y - 0.41) * 1.6;
  if (beak) return [255, 184, 76];
  if ((x - 0.42) ** 2 / 0.03 + (y - 0.62) ** 2 / 0.012 <= 1 && y > 0.56) return [214, 233, 255];
  if (inCircle(0.45, 0.62, 0.24) || inCircle(0.58, 0.4, 0.15)) return [250, 252, 255];
  // background: a diagonal gradient, teal to blue
  const t = (x + y) / 2;
  return [Math.round(20 + 30 * t), Math.round(150 - 60 * t), Math.round(170 + 50 * t)];
}

export function drawIcon(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const s = 4;
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < s; sy++)
        for (let sx = 0; sx < s; sx++) {
          const c = shade((px + (sx + 0.5) / s) / size, (py + (sy + 0.5) / s) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      const i = (py * size + px) * 4;
      if (a) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
      }
      rgba[i + 3] = Math.round((255 * a) / (s * s));
    }
  return encodePng(size, rgba);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const size of SIZES) writeFileSync(join(here, `${size}x${size}.png`), drawIcon(size));
  writeFileSync(join(here, 'icon.png'), drawIcon(1024));
}
