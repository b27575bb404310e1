/**
 * Sample digits 0–9 as pen strokes on the 280-unit drawing canvas, for drawing from the
 * keyboard: Enter on the drawing area draws the next one.
 */
import type { Stroke } from './ink';

type XY = [number, number];
const stroke = (points: XY[]): Stroke => points.map(([x, y]) => ({ x, y, p: 0.5 }));

/** Points on an ellipse from angle a0 to a1 in degrees (0 at the top, clockwise). */
function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number, n = 24): XY[] {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = ((a0 + ((a1 - a0) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)];
  });
}

/** SAMPLE_DIGITS[k] draws the digit k. */
export const SAMPLE_DIGITS: readonly Stroke[][] = [
  [stroke(arc(140, 140, 55, 95, 0, 360, 32))],
  [
    stroke([
      [150, 45],
      [145, 100],
      [140, 170],
      [135, 235],
    ]),
  ],
  [stroke([...arc(140, 100, 55, 50, -70, 110), [85, 235], [205, 232]])],
  [stroke(arc(135, 95, 50, 42, -60, 180)), stroke(arc(135, 185, 58, 50, 0, 240))],
  [
    stroke([
      [165, 45],
      [85, 165],
      [210, 165],
    ]),
    stroke([
      [170, 100],
      [170, 240],
    ]),
  ],
  [
    stroke([
      [195, 50],
      [100, 50],
      [95, 130],
      [140, 118],
      [185, 140],
      [195, 180],
      [180, 220],
      [140, 238],
      [95, 225],
    ]),
  ],
  [
    stroke([
      [185, 50],
      [140, 75],
      [105, 125],
      [92, 175],
      [100, 215],
      [135, 238],
      [175, 225],
      [190, 190],
      [175, 160],
      [140, 150],
      [105, 165],
      [95, 190],
    ]),
  ],
  [
    stroke([
      [70, 60],
      [130, 60],
      [200, 60],
    ]),
    stroke([0, 1, 2, 3, 4, 5].map((i) => [200 - i * 16, 60 + i * 35])),
  ],
  [stroke(arc(140, 90, 42, 40, 0, 360)), stroke(arc(140, 185, 52, 52, 0, 360))],
  [
    stroke(arc(140, 95, 48, 45, 90, 450)),
    stroke([
      [188, 95],
      [184, 170],
      [175, 240],
    ]),
  ],
];
