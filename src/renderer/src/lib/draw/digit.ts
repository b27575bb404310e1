/** Draw a 28×28 digit as pixels, what is not read yet dimmed. */
import type { RGB } from './colors';
import { SIDE, STEPS } from '$shared/types';

export interface DigitStyle {
  ink: RGB;
  paper: RGB;
  /** Pixels already read are shown fully; pixels not yet read are dimmed by this factor. */
  dimUnread: number;
}

/**
 * Paint `pixels` into a 28×28 canvas, dimming what is read after `step`: the rows after it, or
 * with `stepOf` (the step that reads each pixel, for reads other than rows) the pixels after it.
 */
export function paintDigit(
  ctx: CanvasRenderingContext2D,
  pixels: ArrayLike<number>,
  step: number,
  style: DigitStyle,
  side = SIDE,
  stepOf?: ArrayLike<number>,
): void {
  const img = ctx.createImageData(side, side);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const dim = (stepOf ? stepOf[r * side + c] : r) > step ? style.dimUnread : 1;
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
