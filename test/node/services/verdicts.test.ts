/**
 * When a trace waits for its version's verdict statistics: the trace that starts their fit
 * waits up to VERDICT_WAIT_MS; traces while the fit goes on do not wait, so a large model
 * whose fit takes minutes still answers at the speed of its trace.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tracer } from '../../../src/node/engine/inference/trace';
import type { VizJob, VizWorker } from '../../../src/node/engine/viz/vizWorker';
import type { InkStats } from '../../../src/node/engine/inference/inkStats';
import { VERDICT_DIGITS, VERDICT_FORMAT, type VerdictStats } from '../../../src/node/engine/inference/verdict';
import { decode, encode } from '../../../src/shared/wire';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Stand-in ink statistics, of the right counts (their values do not matter to the service). */
const inkStats = (mark: number): InkStats => ({
  strokes: [{ whiten: Float32Array.of(mark), mean: Float32Array.of(0), logDet: 0, label: 0 }],
  held: { strokes: Float32Array.of(mark), shape: Float32Array.of(1), pieces: Float32Array.of(1) },
  n: VERDICT_DIGITS.fit,
  m: VERDICT_DIGITS.held,
  fitMs: 0,
});

/** A worker whose verdict fits never finish (its ink fits do at once), counting the verdict fits asked for. */
function slowWorker(): { worker: VizWorker; fits: () => number } {
  let fits = 0;
  const worker = {
    run: (_t: Tracer, _k: string, job: VizJob) => {
      if (job.kind === 'ink') return Promise.resolve(inkStats(1));
      fits++;
      return new Promise(() => {});
    },
  } as unknown as VizWorker;
  return { worker, fits: () => fits };
}

/** A worker that answers every job at once, recording each (a verdict's answer names its key), failing the ink jobs while `failInk` is set. */
function recordingWorker() {
  const jobs: { key: string; job: VizJob }[] = [];
  const state = { failInk: false };
  const worker = {
    run: (_t: Tracer, key: string, job: VizJob) => {
      jobs.push({ key, job });
      if (job.kind === 'ink') return state.failInk ? Promise.reject(new Error('the ink fit failed')) : Promise.resolve(inkStats(jobs.length));
      return Promise.resolve({
        format: VERDICT_FORMAT,
        hidden: H,
        mean: new Float32Array(1),
        strokes: (jobs.at(-1)!.job as { ink: InkStats }).ink.strokes,
        key,
      } as unknown as VerdictStats);
    },
  } as unknown as VizWorker;
  return { worker, jobs, state };
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

describe("the ink's statistics", () => {
  it('are fitted once for every version, cached, and read back by the next start', async () => {
    const cache = tempDir();
    const a = recordingWorker();
    const first = new VerdictService(a.worker, tempDir(), cache);
    await first.stats('k1', tracer);
    await first.stats('k2', tracer);
    expect(a.jobs.map((j) => `${j.job.kind} ${j.key}`)).toEqual(['ink k1', 'verdict k1', 'verdict k2']);
    // Both versions' fits were sent the one fit's ink statistics.
    const sent = a.jobs.filter((j) => j.job.kind === 'verdict').map((j) => (j.job as { ink?: InkStats }).ink);
    expect(sent[0]).toBe(sent[1]);
    expect(Array.from(sent[0]!.held.strokes)).toEqual([1]);
    // The next start reads them from the cache: no ink fit, and the fit of a new version is sent what was cached.
    const b = recordingWorker();
    await new VerdictService(b.worker, tempDir(), cache).stats('k3', tracer);
    expect(b.jobs.map((j) => `${j.job.kind} ${j.key}`)).toEqual(['verdict k3']);
    const cached = (b.jobs[0].job as { ink?: InkStats }).ink!;
    expect(Array.from(cached.held.strokes)).toEqual([1]);
    expect(cached.held.strokes).toBeInstanceOf(Float32Array);
    // A version's file names the strokes' density instead of copying it, and takes the ink's back when read.
    const file = join(cache, `k1-verdict${VERDICT_FORMAT}.json`);
    expect((decode(readFileSync(file, 'utf8')) as { strokes: unknown }).strokes).toBe('ink');
    const c = recordingWorker();
    const again = await new VerdictService(c.worker, tempDir(), cache).stats('k1', tracer);
    expect(c.jobs).toEqual([]);
    expect(again.strokes).toEqual(cached.strokes);
    expect((again as unknown as { key: string }).key).toBe('k1');
    // A file whose strokes are neither named nor absent is fitted again.
    writeFileSync(file, encode({ ...(decode(readFileSync(file, 'utf8')) as object), strokes: [] }));
    const d = recordingWorker();
    await new VerdictService(d.worker, tempDir(), cache).stats('k1', tracer);
    expect(d.jobs.map((j) => j.job.kind)).toEqual(['verdict']);
  });

  it('are fitted again when the cache is damaged or of other digits, and asked for again after a failed fit', async () => {
    const file = (dir: string) => join(dir, `ink-verdict${VERDICT_FORMAT}.json`);
    for (const content of ['{ not json', encode({ ...inkStats(7), m: 10 }), encode({ ...inkStats(7), held: { strokes: [1] } })]) {
      const cache = tempDir();
      writeFileSync(file(cache), content);
      const w = recordingWorker();
      await new VerdictService(w.worker, tempDir(), cache).stats('k', tracer);
      expect(
        w.jobs.map((j) => j.job.kind),
        content.slice(0, 20),
      ).toEqual(['ink', 'verdict']);
      // What was refitted replaced what was damaged.
      expect(Array.from((decode(readFileSync(file(cache), 'utf8')) as InkStats).held.strokes)).toEqual([1]);
    }
    const w = recordingWorker();
    w.state.failInk = true;
    const verdicts = new VerdictService(w.worker, tempDir(), tempDir());
    await expect(verdicts.stats('k1', tracer)).rejects.toThrow('the ink fit failed');
    w.state.failInk = false;
    await verdicts.stats('k2', tracer);
    expect(w.jobs.map((j) => `${j.job.kind} ${j.key}`)).toEqual(['ink k1', 'ink k2', 'verdict k2']);
  });
});
