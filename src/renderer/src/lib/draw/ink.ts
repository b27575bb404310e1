/**
 * The drawing surface's model: strokes as point lists, rendering them with a
 * round brush, and reading the canvas back as ink intensity for preprocessing.
 */

export interface Point {
  x: number;
  y: number;
  /** Pointer pressure, 0.5 for mice. */
  p: number;
}

export type Stroke = Point[];

/** Brush width in canvas units for a 280-unit canvas. */
export const BRUSH = 20;

/**
 * Draw a stroke from point `from` on with a round brush: the starting dot when
 * `from` is 0, then each segment once. Drawing a stroke piece by piece while the
 * pointer moves paints exactly what drawing it whole does, so undo and redraw
 * give the same pixels. Pen pressure varies the width a little.
 */
export function drawStroke(ctx: CanvasRenderingContext2D, s: Stroke, scale: number, color: string, from = 0): void {
  if (s.length === 0) return;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const width = (p: number) => BRUSH * scale * (0.75 + 0.5 * p);
  if (from === 0) {
    ctx.beginPath();
    ctx.arc(s[0].x * scale, s[0].y * scale, width(s[0].p) / 2, 0, Math.PI * 2);
    ctx.fill();
  }
  for (let i = Math.max(1, from); i < s.length; i++) {
    const a = s[i - 1],
      b = s[i];
    ctx.lineWidth = width((a.p + b.p) / 2);
    ctx.beginPath();
    ctx.moveTo(a.x * scale, a.y * scale);
    ctx.lineTo(b.x * scale, b.y * scale);
    ctx.stroke();
  }
}

/** Redraw all strokes from scratch. */
export function drawAll(ctx: CanvasRenderingContext2D, strokes: Stroke[], scale: number, color: string): void {
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  for (const s of strokes) drawStroke(ctx, s, scale, color);
}

/** Ink intensity in [0, 1] from the canvas's alpha channel, whatever the ink colour. */
export function readInk(ctx: CanvasRenderingContext2D): { width: number; height: number; data: Float32Array } {
  const { width, height } = ctx.canvas;
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4 + 3] / 255;
  return { width, height, data };
}
