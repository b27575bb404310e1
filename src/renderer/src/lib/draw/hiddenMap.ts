/**
 * Drawing the hidden-state map: a view box fitted to the landmarks, the faded
 * cloud of every step, the landmarks coloured by class, the drawing's 28-step
 * path up to the current step, and hit-testing landmarks under the pointer.
 */
import { schemeTableau10 } from 'd3-scale-chromatic';
import type { HiddenMap } from '$shared/projection';

/** One colour per digit class, from a categorical scheme that stays distinct for common colour-vision deficiencies. */
export const CLASS_COLORS: readonly string[] = schemeTableau10;

/** What painting needs of a map: landmarks with their classes and, optionally, the faded cloud. */
export type Points = Pick<HiddenMap, 'landmarks' | 'labels'> & { cloud?: Float32Array };

/** Map coordinates → canvas pixels. */
export interface MapView {
  x0: number;
  y0: number;
  scale: number;
  width: number;
  height: number;
  pad: number;
}

/** A view that fits the landmarks (2nd–98th percentile, so a few outliers do not shrink the rest) into width × height. */
export function fitView(points: Float32Array, width: number, height: number, pad = 12): MapView {
  const n = points.length / 2;
  const xs = new Float32Array(n),
    ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = points[2 * i];
    ys[i] = points[2 * i + 1];
  }
  xs.sort();
  ys.sort();
  const q = (a: Float32Array, p: number) => (a.length ? a[Math.min(a.length - 1, Math.max(0, Math.round(p * (a.length - 1))))] : 0);
  const [minX, maxX, minY, maxY] = [q(xs, 0.005), q(xs, 0.995), q(ys, 0.005), q(ys, 0.995)];
  const span = Math.max(maxX - minX, maxY - minY, 1e-6);
  const scale = Math.min(width - 2 * pad, height - 2 * pad) / span;
  return { x0: (minX + maxX) / 2, y0: (minY + maxY) / 2, scale, width, height, pad };
}

/** Canvas position of a map point; y grows upwards on the map. */
export function toScreen(v: MapView, x: number, y: number): [number, number] {
  return [v.width / 2 + (x - v.x0) * v.scale, v.height / 2 - (y - v.y0) * v.scale];
}

/** Paint the cloud (faded) and the landmarks by class; `highlight` dims every class but one. */
export function paintLandmarks(ctx: CanvasRenderingContext2D, map: Points, v: MapView, opts: { background: string; highlight: number | null }): void {
  ctx.fillStyle = opts.background;
  ctx.fillRect(0, 0, v.width, v.height);
  ctx.fillStyle = 'rgba(128, 128, 128, 0.10)';
  const cloud = map.cloud ?? new Float32Array(0);
  for (let i = 0; i < cloud.length / 2; i++) {
    const [x, y] = toScreen(v, cloud[2 * i], cloud[2 * i + 1]);
    ctx.fillRect(x - 0.75, y - 0.75, 1.5, 1.5);
  }
  for (let i = 0; i < map.labels.length; i++) {
    const k = map.labels[i];
    const [x, y] = toScreen(v, map.landmarks[2 * i], map.landmarks[2 * i + 1]);
    ctx.globalAlpha = opts.highlight === null ? 0.7 : opts.highlight === k ? 0.95 : 0.08;
    ctx.fillStyle = CLASS_COLORS[k];
    ctx.beginPath();
    ctx.arc(x, y, 2.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** Class centroids on the map, for labelling the clusters. */
export function centroids(map: Points): { k: number; x: number; y: number }[] {
  const sum = Array.from({ length: 10 }, () => ({ x: 0, y: 0, n: 0 }));
  for (let i = 0; i < map.labels.length; i++) {
    const s = sum[map.labels[i]];
    s.x += map.landmarks[2 * i];
    s.y += map.landmarks[2 * i + 1];
    s.n++;
  }
  return sum.flatMap((s, k) => (s.n ? [{ k, x: s.x / s.n, y: s.y / s.n }] : []));
}

/** Paint class labels at their centroids. */
export function paintCentroidLabels(ctx: CanvasRenderingContext2D, map: Points, v: MapView, text: string, halo: string): void {
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 3;
  for (const c of centroids(map)) {
    const [x, y] = toScreen(v, c.x, c.y);
    ctx.strokeStyle = halo;
    ctx.strokeText(String(c.k), x, y);
    ctx.fillStyle = text;
    ctx.fillText(String(c.k), x, y);
  }
}

/** Steps numbered along a path (1-based), where there are that many. */
export const PATH_LABELS = [1, 7, 14, 21, 28];

/**
 * A drawing's path up to step `upTo` (0-based): where it starts (h₀, the blank state, as a hollow
 * square), a line with an arrowhead every few steps showing the direction of reading, a few steps
 * numbered, and the last point drawn ringed; when the drawing is judged not a digit, the end is a cross.
 */
export function paintPath(
  ctx: CanvasRenderingContext2D,
  points: Float32Array,
  upTo: number,
  v: MapView,
  color: string,
  opts: { start?: [number, number] | null; halo?: string; notDigit?: boolean } = {},
): void {
  const n = Math.min(points.length / 2, upTo + 1);
  if (n < 1) return;
  const at = (i: number) => toScreen(v, points[2 * i], points[2 * i + 1]);
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  const start = opts.start ? toScreen(v, opts.start[0], opts.start[1]) : null;
  ctx.beginPath();
  if (start) ctx.moveTo(start[0], start[1]);
  for (let i = 0; i < n; i++) {
    const [x, y] = at(i);
    if (i === 0 && !start) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
  for (let i = 0; i < n; i++) {
    const [x, y] = at(i);
    ctx.beginPath();
    ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  // Arrowheads on every fourth segment that is long enough to carry one.
  for (let i = 1; i < n; i += 4) {
    const [x0, y0] = at(i - 1),
      [x1, y1] = at(i);
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len < 10) continue;
    const ux = (x1 - x0) / len,
      uy = (y1 - y0) / len;
    const mx = (x0 + x1) / 2,
      my = (y0 + y1) / 2;
    ctx.beginPath();
    ctx.moveTo(mx + 4 * ux, my + 4 * uy);
    ctx.lineTo(mx - 4 * ux - 3.5 * uy, my - 4 * uy + 3.5 * ux);
    ctx.lineTo(mx - 4 * ux + 3.5 * uy, my - 4 * uy - 3.5 * ux);
    ctx.closePath();
    ctx.fill();
  }
  if (start) {
    ctx.lineWidth = 2;
    ctx.strokeRect(start[0] - 4.5, start[1] - 4.5, 9, 9);
  }
  ctx.font = '600 10px system-ui, sans-serif';
  ctx.lineWidth = 3;
  ctx.strokeStyle = opts.halo ?? 'transparent';
  for (const label of PATH_LABELS) {
    if (label > n) continue;
    const [x, y] = at(label - 1);
    ctx.strokeText(String(label), x + 5, y - 5);
    ctx.fillText(String(label), x + 5, y - 5);
  }
  const [ex, ey] = at(n - 1);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  if (opts.notDigit) {
    ctx.moveTo(ex - 6, ey - 6);
    ctx.lineTo(ex + 6, ey + 6);
    ctx.moveTo(ex + 6, ey - 6);
    ctx.lineTo(ex - 6, ey + 6);
  } else ctx.arc(ex, ey, 7, 0, 2 * Math.PI);
  ctx.stroke();
}

/** Index of the landmark nearest (x, y) in canvas pixels, within `radius`; null when none. */
export function landmarkAt(map: HiddenMap, v: MapView, x: number, y: number, radius = 6): number | null {
  let best: number | null = null;
  let bestD = radius * radius;
  for (let i = 0; i < map.labels.length; i++) {
    const [sx, sy] = toScreen(v, map.landmarks[2 * i], map.landmarks[2 * i + 1]);
    const d = (sx - x) ** 2 + (sy - y) ** 2;
    if (d <= bestD) [best, bestD] = [i, d];
  }
  return best;
}

/** Index of the landmark nearest a map point (any distance). */
export function nearestLandmark(map: HiddenMap, x: number, y: number): number {
  let best = 0,
    bestD = Infinity;
  for (let i = 0; i < map.labels.length; i++) {
    const d = (map.landmarks[2 * i] - x) ** 2 + (map.landmarks[2 * i + 1] - y) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  }
  return best;
}
