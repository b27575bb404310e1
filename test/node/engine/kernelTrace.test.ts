/**
 * The kernel's trace (used for large models off the event loop) against the reference
 * Tracer, field by field, on real digits: every cell, a hidden size the kernels pad, reads
 * in and out of image order, and weights jittered so every gate block differs from the others.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { KernelTracer } from '../../../src/node/engine/inference/kernelTrace';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { initialWeights } from '../../../src/node/engine/model/initWeights';
import { namedWeights, type Weights } from '../../../src/node/engine/model/weights';
import { readShape, type Read } from '../../../src/shared/reads';
import { CELLS, PIXELS, type CellType } from '../../../src/shared/types';
import { expectTraceNear, mnistSlice, testRuntime } from '../../helpers';

const H = 13; // run as 16 by the kernels
const runtime = testRuntime();

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(1, 3);
});

function jittered(cell: CellType, read: Read): Weights {
  const w = namedWeights({ cell, hidden: H, read }, initialWeights(cell, H, 7, readShape(read).inputs));
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (const a of [w.W, w.U, w.b, w.Wd, w.bd]) for (let i = 0; i < a.length; i++) a[i] += 0.3 * rand();
  return w;
}

describe('the kernel trace', () => {
  for (const cell of CELLS)
    for (const read of ['rows', 'cols', 'pixels:4'] as Read[])
      it(`matches the reference for a ${cell}-${H} reading ${read}`, () => {
        const w = jittered(cell, read);
        const ref = new Tracer(w);
        const fast = new KernelTracer(runtime, w);
        for (let k = 0; k < 3; k++) {
          const pixels = ds.test.images.subarray(k * PIXELS, (k + 1) * PIXELS);
          expectTraceNear(fast.trace(pixels), ref.trace(pixels));
        }
      });

  it('refuses an image of the wrong size', () => {
    expect(() => new KernelTracer(runtime, jittered('gru', 'rows')).trace(new Float32Array(783))).toThrow('trace needs 784 pixels (28×28), got 783');
  });
});
