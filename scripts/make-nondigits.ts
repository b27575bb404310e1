/**
 * The non-digit set: drawings that are not digits (dots, scribbles, lines, letters, shapes and
 * symbols), made from strokes on the app's 280 × 280 canvas with its round brush, and passed
 * through the app's own preprocessing into 28 × 28 inputs. Seeded, so the same file comes out
 * every time. Other seeds draw other sets of the same kinds, to check that what is measured on
 * the committed set is not a property of its particular drawings (`build` is exported for the
 * bench).
 *   node --import tsx scripts/make-nondigits.ts                           write test/data/nondigits/
 *   node --import tsx scripts/make-nondigits.ts --check                   fail if the committed set differs
 *   node --import tsx scripts/make-nondigits.ts --seed 7 --out /tmp/nd7   another set, elsewhere
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { preprocess } from '../src/shared/preprocess';
import { PIXELS } from '../src/shared/types';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'test', 'data', 'nondigits');
/** The seed of the committed set. */
export const NONDIGIT_SEED = 2026;

/** The canvas and brush of the drawing pad (src/renderer/src/lib/draw/ink.ts: BRUSH 20 at pressure 0.5). */
const CANVAS = 280;
const BRUSH = 20;

type Pt = [number, number];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ink of strokes drawn with a round brush of `width`, anti-aliased over one pixel, as the canvas draws them. */
function rasterise(strokes: Pt[][], width = BRUSH): Float32Array {
  const ink = new Float32Array(CANVAS * CANVAS);
  const r = width / 2;
  for (const s of strokes) {
    const segs: [Pt, Pt][] = s.length === 1 ? [[s[0], s[0]]] : s.slice(1).map((p, i) => [s[i], p]);
    for (const [a, b] of segs) {
      const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - r - 1)),
        x1 = Math.min(CANVAS - 1, Math.ceil(Math.max(a[0], b[0]) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - r - 1)),
        y1 = Math.min(CANVAS - 1, Math.ceil(Math.max(a[1], b[1]) + r + 1));
      const dx = b[0] - a[0],
        dy = b[1] - a[1],
        len2 = dx * dx + dy * dy;
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5,
            py = y + 0.5;
          const t = len2 ? Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / len2)) : 0;
          const d = Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
          const v = Math.max(0, Math.min(1, r + 0.5 - d));
          if (v > ink[y * CANVAS + x]) ink[y * CANVAS + x] = v;
        }
    }
  }
  return ink;
}

/** Strokes in a unit box (0..1), placed into a box of `size` at (cx, cy) with jitter. */
function place(unit: Pt[][], rand: () => number, size = 150 + 100 * rand(), jitter = 0.03): Pt[][] {
  const cx = 140 + (rand() - 0.5) * (CANVAS - size) * 0.6,
    cy = 140 + (rand() - 0.5) * (CANVAS - size) * 0.6;
  const tilt = (rand() - 0.5) * 0.3;
  return unit.map((s) =>
    s.map(([u, v]) => {
      const x = (u - 0.5 + (rand() - 0.5) * jitter) * size,
        y = (v - 0.5 + (rand() - 0.5) * jitter) * size;
      return [cx + x * Math.cos(tilt) - y * Math.sin(tilt), cy + x * Math.sin(tilt) + y * Math.cos(tilt)] as Pt;
    }),
  );
}

/** A polyline through the points, with points every few units so the strokes look drawn. */
const line = (...pts: Pt[]): Pt[] => pts;
const arc = (cx: number, cy: number, r: number, a0: number, a1: number, n = 12): Pt[] =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = a0 + ((a1 - a0) * i) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as Pt;
  });

/** Letters unlike any digit, and shapes and symbols, in a unit box. */
const GLYPHS: Record<string, Pt[][]> = {
  A: [line([0.1, 1], [0.5, 0], [0.9, 1]), line([0.28, 0.6], [0.72, 0.6])],
  E: [line([0.85, 0], [0.15, 0], [0.15, 1], [0.85, 1]), line([0.15, 0.5], [0.7, 0.5])],
  F: [line([0.85, 0], [0.2, 0], [0.2, 1]), line([0.2, 0.5], [0.7, 0.5])],
  H: [line([0.15, 0], [0.15, 1]), line([0.85, 0], [0.85, 1]), line([0.15, 0.5], [0.85, 0.5])],
  K: [line([0.2, 0], [0.2, 1]), line([0.85, 0], [0.2, 0.55], [0.85, 1])],
  M: [line([0.05, 1], [0.15, 0], [0.5, 0.6], [0.85, 0], [0.95, 1])],
  N: [line([0.15, 1], [0.15, 0], [0.85, 1], [0.85, 0])],
  R: [line([0.2, 1], [0.2, 0], [0.65, 0], [0.85, 0.15], [0.85, 0.35], [0.65, 0.5], [0.2, 0.5]), line([0.45, 0.5], [0.9, 1])],
  W: [line([0, 0], [0.25, 1], [0.5, 0.35], [0.75, 1], [1, 0])],
  X: [line([0.1, 0], [0.9, 1]), line([0.9, 0], [0.1, 1])],
  Y: [line([0.1, 0], [0.5, 0.5], [0.9, 0]), line([0.5, 0.5], [0.5, 1])],
  triangle: [line([0.5, 0], [1, 0.9], [0, 0.9], [0.5, 0])],
  square: [line([0.05, 0.05], [0.95, 0.05], [0.95, 0.95], [0.05, 0.95], [0.05, 0.05])],
  star: [line([0.5, 0], [0.8, 1], [0, 0.35], [1, 0.35], [0.2, 1], [0.5, 0])],
  plus: [line([0.5, 0], [0.5, 1]), line([0, 0.5], [1, 0.5])],
  hash: [line([0.35, 0], [0.25, 1]), line([0.75, 0], [0.65, 1]), line([0, 0.33], [1, 0.33]), line([0, 0.67], [1, 0.67])],
  equals: [line([0, 0.35], [1, 0.35]), line([0, 0.65], [1, 0.65])],
  arrow: [line([0, 0.5], [1, 0.5]), line([0.7, 0.2], [1, 0.5], [0.7, 0.8])],
  check: [line([0, 0.55], [0.35, 0.95], [1, 0.05])],
  heart: [[...arc(0.28, 0.3, 0.22, Math.PI, 2 * Math.PI), ...arc(0.72, 0.3, 0.22, Math.PI, 2 * Math.PI), [0.5, 1], [0.06, 0.32]]],
  tilde: [[...arc(0.25, 0.55, 0.25, Math.PI, 2 * Math.PI), ...arc(0.75, 0.45, 0.25, Math.PI, 0, 12).reverse()]],
  percent: [line([0.9, 0], [0.1, 1]), arc(0.2, 0.2, 0.15, 0, 2 * Math.PI), arc(0.8, 0.8, 0.15, 0, 2 * Math.PI)],
};

/** Kinds, each with the drawings made for it. */
function drawings(seed: number): { kind: string; strokes: Pt[][] }[] {
  const rand = mulberry32(seed);
  const out: { kind: string; strokes: Pt[][] }[] = [];
  // Dots: one to three taps, anywhere.
  for (let i = 0; i < 40; i++) {
    const taps = 1 + Math.floor(rand() * 3);
    out.push({ kind: 'dot', strokes: Array.from({ length: taps }, () => [[30 + rand() * 220, 30 + rand() * 220] as Pt]) });
  }
  // Scribbles: random walks, small and canvas-wide.
  for (let i = 0; i < 80; i++) {
    const big = i % 2 === 0;
    const step = big ? 35 : 9;
    let p: Pt = [60 + rand() * 160, 60 + rand() * 160];
    let a = rand() * Math.PI * 2;
    const s: Pt[] = [p];
    for (let k = 0; k < (big ? 30 : 14); k++) {
      a += (rand() - 0.5) * 2.4;
      p = [Math.max(5, Math.min(275, p[0] + step * Math.cos(a))), Math.max(5, Math.min(275, p[1] + step * Math.sin(a)))];
      s.push(p);
    }
    out.push({ kind: big ? 'scribble' : 'small scribble', strokes: [s] });
  }
  // Lines: horizontal and within 25° of it.
  for (let i = 0; i < 30; i++) {
    const a = (rand() - 0.5) * 0.87;
    const len = 80 + rand() * 170;
    const cx = 80 + rand() * 120,
      cy = 60 + rand() * 160;
    out.push({
      kind: 'line',
      strokes: [
        [
          [cx - (len / 2) * Math.cos(a), cy - (len / 2) * Math.sin(a)],
          [cx + (len / 2) * Math.cos(a), cy + (len / 2) * Math.sin(a)],
        ],
      ],
    });
  }
  for (const [name, unit] of Object.entries(GLYPHS)) {
    const kind = name.length === 1 ? 'letter' : 'shape or symbol';
    for (let i = 0; i < 12; i++) out.push({ kind, strokes: place(unit, rand) });
  }
  return out;
}

/** The set drawn from `seed`: its 28 × 28 inputs as bytes (0–255, one drawing after another) and its index (the kind of each). */
export function build(seed = NONDIGIT_SEED): { bytes: Buffer; index: string } {
  const set = drawings(seed);
  const bytes = Buffer.alloc(set.length * PIXELS);
  const kinds: string[] = [];
  set.forEach((d, i) => {
    const p = preprocess({ width: CANVAS, height: CANVAS, data: rasterise(d.strokes) });
    if (p.empty) throw new Error(`drawing ${i} (${d.kind}) is empty`);
    for (let k = 0; k < PIXELS; k++) bytes[i * PIXELS + k] = Math.round(p.pixels[k] * 255);
    kinds.push(d.kind);
  });
  const index = JSON.stringify({ format: 'rnn-lens-nondigits/1', count: set.length, pixels: PIXELS, kinds }, null, 1) + '\n';
  return { bytes, index };
}

function main(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, seed: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const seed = values.seed === undefined ? NONDIGIT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed takes a whole number ≥ 0, got ${values.seed}`);
  if (values.check && (values.seed !== undefined || values.out !== undefined))
    throw new Error('--check compares the committed set; it takes no --seed or --out');
  if (values.out !== undefined && !values.out.trim()) throw new Error('--out takes a folder');
  const out = values.out === undefined ? committed : resolve(values.out);
  if (out === committed && seed !== NONDIGIT_SEED) throw new Error(`the committed set is drawn from seed ${NONDIGIT_SEED}: give --out for another seed`);
  const { bytes, index } = build(seed);
  if (values.check) {
    const same = readFileSync(join(out, 'nondigits.bin')).equals(bytes) && readFileSync(join(out, 'nondigits.json'), 'utf8') === index;
    if (!same) {
      console.error('test/data/nondigits does not match the generator: run `node --import tsx scripts/make-nondigits.ts` and commit the result');
      process.exit(1);
    }
    console.log(`non-digit set: committed set matches the generator (${bytes.length / PIXELS} drawings)`);
  } else {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'nondigits.bin'), bytes);
    writeFileSync(join(out, 'nondigits.json'), index);
    console.log(`non-digit set: wrote ${bytes.length / PIXELS} drawings (seed ${seed}) to ${out}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
}
