/**
 * When a trace waits for its version's verdict statistics: the trace that starts their fit
 * waits up to VERDICT_WAIT_MS; traces while the fit goes on do not wait, so a large model
 * whose fit takes minutes still answers at the speed of its trace.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tracer } from '../../../src/node/engine/inference/trace';
import type { VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { VERDICT_WAIT_MS, VerdictService } from '../../../src/node/services/verdicts';
import { CLASSES, GATES, SIDE } from '../../../src/shared/types';
import { tempDir } from '../../helpers';

const H = 8;
const G = GATES.rnn * H;
const tracer = new Tracer({
  cell: 'rnn',
  hidden: H,
  read: 'rows',
  W: new Float32Array(SIDE * G).fill(0.01),
  U: new Float32Array(H * G),
  b: new Float32Array(G),
  Wd: new Float32Array(H * CLASSES),
  bd: new Float32Array(CLASSES),
});
const pixels = new Float32Array(784).fill(0.5);
const trace = tracer.trace(pixels);

afterEach(() => {
  vi.useRealTimers();
});

/** A worker whose fits never finish, counting the fits asked for. */
function slowWorker(): { worker: VizWorker; fits: () => number } {
  let fits = 0;
  const worker = {
    run: () => {
      fits++;
      return new Promise(() => {});
    },
  } as unknown as VizWorker;
  return { worker, fits: () => fits };
}

describe('waiting for a verdict', () => {
  it('makes only the trace that starts the fit wait, and starts one fit', async () => {
    vi.useFakeTimers();
    const { worker, fits } = slowWorker();
    const verdicts = new VerdictService(worker, tempDir(), tempDir());
    let done = 0;
    const first = verdicts.judge('k', tracer, trace, pixels).then((t) => (done++, t));
    await vi.advanceTimersByTimeAsync(VERDICT_WAIT_MS - 1);
    expect(done).toBe(0);
    // Traces while the fit goes on go out at once, without a verdict.
    for (let i = 0; i < 3; i++) {
      let answered = false;
      const t = verdicts.judge('k', tracer, trace, pixels).then((r) => ((answered = true), r));
      await vi.advanceTimersByTimeAsync(0);
      expect(answered).toBe(true);
      expect((await t).verdict).toBeUndefined();
      expect((await t).prediction).toBe(trace.prediction);
    }
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(1);
    expect((await first).verdict).toBeUndefined();
    expect(fits()).toBe(1);
    // Another version's first trace starts its own fit and waits in turn.
    let other = 0;
    void verdicts.judge('k2', tracer, trace, pixels).then(() => other++);
    await vi.advanceTimersByTimeAsync(VERDICT_WAIT_MS - 1);
    expect(other).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(other).toBe(1);
    expect(fits()).toBe(2);
  });
});
