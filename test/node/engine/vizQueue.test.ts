/**
 * The visualisation worker's queue: bounded across all callers, a gone caller's jobs
 * dropped before they run, weights sent once per model; and traces of a large model
 * going to that worker instead of holding the caller's thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { INLINE_TRACE_COST, traceCost } from '../../../src/node/engine/inference/trace';
import { MAX_QUEUED, VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { Tracing } from '../../../src/node/services/tracing';
import { mulberry32 } from '../../../src/node/engine/data/random';
import { expectTraceNear, randomTracer } from '../../helpers';

const image = (seed: number) => {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: 784 }, () => (rand() < 0.2 ? rand() : 0));
};

const workers: VizWorker[] = [];
afterAll(async () => {
  for (const w of workers) await w.close();
});

describe('the visualisation worker queue', () => {
  it('holds at most MAX_QUEUED jobs behind the running one, answers the rest busy, and drops a gone caller’s jobs', async () => {
    const worker = new VizWorker('test');
    workers.push(worker);
    // Slow enough (tens of ms each) that the queue fills before the first finishes.
    const big = randomTracer('lstm', 512, { scale: 0.1 });
    const gone = new AbortController();
    const results = Array.from({ length: MAX_QUEUED + 4 }, (_, i) =>
      worker.run(big, 'big', { kind: 'trace', pixels: image(i) }, gone.signal).then(
        () => 'done',
        (e: { code?: string }) => e.code ?? 'error',
      ),
    );
    expect(worker.queued).toBe(MAX_QUEUED);
    gone.abort();
    expect(worker.queued).toBe(0);
    const outcome = await Promise.all(results);
    // The first was on the thread; the next MAX_QUEUED were dropped; the rest were busy from the start.
    expect(outcome[0]).toBe('done');
    expect(outcome.slice(1, 1 + MAX_QUEUED).every((o) => o === 'cancelled')).toBe(true);
    expect(outcome.slice(1 + MAX_QUEUED)).toEqual(['busy', 'busy', 'busy']);
  });

  it('answers a trace and the terms of a held model as the tracer does here, and follows a change of model by its key', async () => {
    const worker = new VizWorker('test');
    workers.push(worker);
    const a = randomTracer('gru', 24, { seed: 2, scale: 0.1 });
    const b = randomTracer('gru', 24, { seed: 3, scale: 0.1 });
    const x = image(9);
    expectTraceNear(await worker.run(a, 'a', { kind: 'trace', pixels: x }), a.trace(x));
    expect(await worker.run(a, 'a', { kind: 'terms', pixels: x })).toEqual(a.terms(x));
    expectTraceNear(await worker.run(b, 'b', { kind: 'trace', pixels: x }), b.trace(x));
    expectTraceNear(await worker.run(a, 'a', { kind: 'trace', pixels: x }), a.trace(x));
  });
});

describe('where a trace runs', () => {
  it('traces a small model on the calling thread and a large one on the worker, with the same answer', async () => {
    const tracing = new Tracing(new VizWorker('test'));
    workers.push(tracing.worker);
    const small = randomTracer('lstm', 128, { seed: 4, scale: 0.1 });
    const large = randomTracer('lstm', 512, { seed: 5, scale: 0.1 });
    expect(traceCost('lstm', 128, 'rows')).toBeLessThanOrEqual(INLINE_TRACE_COST);
    expect(traceCost('lstm', 512, 'rows')).toBeGreaterThan(INLINE_TRACE_COST);
    // A long read costs its steps: a GRU-64 read four pixels a step is traced here, read pixel by pixel on the worker.
    expect(traceCost('gru', 64, 'pixels:4')).toBeLessThanOrEqual(INLINE_TRACE_COST);
    expect(traceCost('gru', 64, 'pixels:1')).toBeGreaterThan(INLINE_TRACE_COST);
    const x = image(11);
    const here = tracing.trace(small, 's', x);
    expect(here).not.toBeInstanceOf(Promise);
    expect(here).toEqual(small.trace(x));
    const there = tracing.trace(large, 'l', x);
    expect(there).toBeInstanceOf(Promise);
    // The worker traces on the kernel's forward pass: the same answer to float32's precision.
    expectTraceNear(await there, large.trace(x));
  });
});
