// Renders build/icons/<size>x<size>.png from the same shape as the tray icon
// (a rounded teal square with a white box), with no image tooling: a PNG is
// zlib-compressed RGBA rows plus CRCs (RFC 2083). Run: node build/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icons');
const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

function pixel(x, y, size) {
  // Coordinates in the 512-unit space of icon.svg.
  const u = ((x + 0.5) / size) * 512;
  const v = ((y + 0.5) / size) * 512;
  const r = 112;
  const dx = Math.max(16 + r - u, u - (496 - r), 0);
  const dy = Math.max(16 + r - v, v - (496 - r), 0);
  const edge = Math.hypot(dx, dy) - r;
  const alpha = Math.max(0, Math.min(1, 0.5 - (edge * size) / 512));
  if (alpha === 0) return [0, 0, 0, 0];
  // The box: a hexagon outline approximated by distance to its centre lines.
  const cx = u - 256;
  const cy = v - 256;
  const inHex = Math.abs(cx) <= 136 && Math.abs(cy) + Math.abs(cx) * 0.53 <= 144;
  const innerHex = Math.abs(cx) <= 104 && Math.abs(cy) + Math.abs(cx) * 0.53 <= 112;
  const white = inHex && (!innerHex || Math.abs(cx) < 8 || (cy > -10 && cy < 8 + Math.abs(cx) * 0.53 && cy > -8 + Math.abs(cx) * 0.53 - 16));
  return white ? [255, 255, 255, Math.round(alpha * 255)] : [0x0b, 0x72, 0x85, Math.round(alpha * 255)];
}

function png(size) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) Buffer.from(pixel(x, y, size)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

fs.mkdirSync(out, { recursive: true });
for (const size of [16, 32, 48, 64, 128, 256, 512]) fs.writeFileSync(path.join(out, `${size}x${size}.png`), png(size));
fs.copyFileSync(path.join(out, '512x512.png'), path.join(out, '..', 'icon.png'));
