/**
 * Digits as a network reads them: the pixels of each image in its read's order (see
 * shared/reads.ts), so step t of the kernels and of tfjs takes pixels [t·I, (t+1)·I) of each
 * image. Reads in image order (rows, pixels:K) need no copy beyond the one from the split.
 */
import { inImageOrder, toSequence, type Read } from '../../../shared/reads';
import { PIXELS } from '../../../shared/types';
import { pixelsInto, type TrainSplit } from './dataset';

export class Sequencer {
  readonly #scratch: Float32Array | null;

  constructor(readonly read: Read) {
    this.#scratch = inImageOrder(read) ? null : new Float32Array(PIXELS);
  }

  /** Images [start, start + count) of a split, in the read's order, into `dst` from image slot `at`; returns those pixels of `dst`. */
  fromSplit(split: TrainSplit, start: number, count: number, dst: Float32Array, at = 0): Float32Array {
    if (!this.#scratch) return pixelsInto(split, start, count, dst, at);
    for (let k = 0; k < count; k++) toSequence(this.read, pixelsInto(split, start + k, 1, this.#scratch), dst, 1, 0, at + k);
    return dst.subarray(at * PIXELS, (at + count) * PIXELS);
  }

  /** `count` images (count × 784, image order) in the read's order: `images` itself for a read in image order, else a new array. */
  fromImages(images: Float32Array, count: number): Float32Array {
    if (!this.#scratch) return images.subarray(0, count * PIXELS);
    return toSequence(this.read, images, new Float32Array(count * PIXELS), count);
  }
}
