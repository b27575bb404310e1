/**
 * Draws resources/icon.png (512×512): a digit's 28 rows read one at a time, with
 * the current row lit. Run with `node --import tsx scripts/make-icon.ts`.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const S = 512;
const px = new Uint8Array(S * S * 4);

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function set(x: number, y: number, r: number, g: number, b: number, a = 255): void {
  const i = (y * S + x) * 4;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
  px[i + 3] = a;
}

// Rounded dark tile.
const R = 96;
for (let y = 0; y < S; y++) {
  for (let x = 0; x < S; x++) {
    const dx = Math.max(R - x, x - (S - 1 - R), 0),
      dy = Math.max(R - y, y - (S - 1 - R), 0);
    if (dx * dx + dy * dy <= R * R) set(x, y, 22, 26, 36);
  }
}
// A "7" drawn on a 28×28 grid; rows above the lit row are read (teal), the lit row is amber.
const cell = 12,
  off = (S - 28 * cell) / 2,
  lit = 17;
const ink = (r: number, c: number) => (r >= 6 && r <= 8 && c >= 7 && c <= 21) || (r > 8 && r <= 23 && Math.abs(c - (21 - (r - 8) * 0.55)) < 1.6);
for (let r = 0; r < 28; r++) {
  for (let c = 0; c < 28; c++) {
    const on = ink(r, c);
    const [cr, cg, cb] =
      r === lit ? (on ? [255, 196, 64] : [90, 70, 30]) : r < lit ? (on ? [80, 220, 200] : [34, 44, 58]) : on ? [150, 160, 180] : [28, 33, 45];
    for (let y = 1; y < cell - 1; y++) for (let x = 1; x < cell - 1; x++) set(off + c * cell + x, off + r * cell + y, cr, cg, cb);
  }
}
const raw = Buffer.alloc(S * (S * 4 + 1));
for (let y = 0; y < S; y++) {
  raw[y * (S * 4 + 1)] = 0;
  Buffer.from(px.buffer, y * S * 4, S * 4).copy(raw, y * (S * 4 + 1) + 1);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr[8] = 8;
ihdr[9] = 6;
ihdr[10] = 0;
ihdr[11] = 0;
ihdr[12] = 0;
const png = Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', new Uint8Array(0)),
]);
writeFileSync(new URL('../resources/icon.png', import.meta.url), png);
console.log(`wrote resources/icon.png (${png.length} bytes)`);
