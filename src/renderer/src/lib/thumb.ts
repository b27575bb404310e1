/** Svelte action that paints a 28×28 digit into a canvas in the current theme's ink. */
import { thumbnail } from './draw/digit';
import { theme } from './state/theme.svelte';

export function thumb(canvas: HTMLCanvasElement, pixels: ArrayLike<number>) {
  const paint = (px: ArrayLike<number>) => thumbnail(canvas, px, { ink: theme.palette.ink, paper: theme.palette.paper, dimUnread: 1 });
  paint(pixels);
  return { update: paint };
}
