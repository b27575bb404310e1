/** An animation as a GIF (gifenc): one frame per step, each drawn by the caller onto the same canvas. */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';

/** Encode `frames` frames of width × height; the last frame stays up four times as long. */
export function encodeGif(
  width: number,
  height: number,
  frames: number,
  draw: (ctx: CanvasRenderingContext2D, frame: number) => void,
  delayMs = 250,
): Uint8Array {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const gif = GIFEncoder();
  for (let i = 0; i < frames; i++) {
    ctx.clearRect(0, 0, width, height);
    draw(ctx, i);
    const { data } = ctx.getImageData(0, 0, width, height);
    const palette = quantize(data, 256);
    gif.writeFrame(applyPalette(data, palette), width, height, { palette, delay: i === frames - 1 ? delayMs * 4 : delayMs, repeat: 0 });
  }
  gif.finish();
  return gif.bytes();
}
