/** Draw a 28×28 digit as pixels, with the row being read highlighted. */
import type { RGB } from './colors';
import { SIDE, STEPS } from '$shared/types';

export interface DigitStyle {
  ink: RGB;
  paper: RGB;
  /** Rows already read are shown fully; rows not yet read are dimmed by this factor. */
  dimUnread: number;
}

/** Paint `pixels` into a 28×28 canvas, dimming rows after `step`. */
export function paintDigit(ctx: CanvasRenderingContext2D, pixels: ArrayLike<number>, step: number, style: DigitStyle, side = SIDE): void {
  const img = ctx.createImageData(side, side);
  for (let r = 0; r < side; r++) {
    const dim = r > step ? style.dimUnread : 1;
    for (let c = 0; c < side; c++) {
      const v = pixels[r * side + c] * dim;
      const i = (r * side + c) * 4;
      img.data[i] = style.paper[0] + (style.ink[0] - style.paper[0]) * v;
      img.data[i + 1] = style.paper[1] + (style.ink[1] - style.paper[1]) * v;
      img.data[i + 2] = style.paper[2] + (style.ink[2] - style.paper[2]) * v;
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** A digit as a data: URL-free ImageData-ready array, for thumbnails drawn with paintDigit. */
export function thumbnail(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, style: DigitStyle): void {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const ctx = canvas.getContext('2d');
  if (ctx) paintDigit(ctx, pixels, STEPS - 1, style);
}
