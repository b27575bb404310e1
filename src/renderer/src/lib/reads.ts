/** Reading orders in words: a read's name, and what one of its steps reads (row 5, column 5, pixels 9–12 of row 3). */
import { readShape, stepPixels, type Read } from '$shared/reads';
import { SIDE } from '$shared/types';
import { t } from './i18n/index.svelte';

/** The catalogue's key for a read: reads.rows, reads.cols, reads.rowsReversed, reads.pixels (K pixels a step) or reads.pixel. */
function key(read: Read): 'rows' | 'cols' | 'rowsReversed' | 'pixels' | 'pixel' {
  if (read === 'rows-reversed') return 'rowsReversed';
  if (read === 'pixels:1') return 'pixel';
  return read === 'rows' || read === 'cols' ? read : 'pixels';
}

/** A read's name, long ("4 pixels a step, in reading order (196 steps)") or short ("4 px a step"). */
export function readName(read: Read, short = false): string {
  const { steps, inputs } = readShape(read);
  const k = key(read);
  return short ? t(`reads.short.${k}`, { k: inputs, steps }) : t(`reads.${k}`, { k: inputs, steps });
}

/** What step t of a read takes, in words: "row 5", "column 5", "pixels 9–12 of row 3", "pixel 9 of row 3". */
export function stepWhat(read: Read, t0: number): string {
  const px = stepPixels(read, t0);
  const first = px[0],
    last = px[px.length - 1];
  const row = Math.floor(first / SIDE) + 1;
  if (read === 'rows' || read === 'rows-reversed') return t('reads.what.row', { n: row });
  if (read === 'cols') return t('reads.what.col', { n: (first % SIDE) + 1 });
  if (px.length === 1) return t('reads.what.pixel', { a: (first % SIDE) + 1, r: row });
  return t('reads.what.pixels', { a: (first % SIDE) + 1, b: (last % SIDE) + 1, r: row });
}
