/** How a training batch is split between this thread and the kernel worker threads. */

/** Each thread takes at least this many samples of a batch; smaller batches use fewer threads. */
export const MIN_PART = 8;

/** Sizes of the parts a batch of `size` is split into over at most `threads` threads. */
export function splitBatch(size: number, threads: number): number[] {
  const parts = Math.max(1, Math.min(threads, Math.floor(size / MIN_PART)));
  const base = Math.floor(size / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < size - base * parts ? 1 : 0));
}
