/**
 * When a trace waits for its version's verdict statistics: the trace that starts their fit
 * waits up to VERDICT_WAIT_MS; traces while the fit goes on do not wait, so a large model
 * whose fit takes minutes still answers at the speed of its trace.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tracer } from '../../../src/node/engine/inference/trace';
import type { VizJob, VizWorker } from '../../../src/node/engine/viz/vizWorker';
import { STROKE_DENSITY, type InkStats } from '../../../src/node/engine/inference/inkStats';
import { VERDICT_DIGITS, VERDICT_FORMAT, verdictSteps, type VerdictStats } from '../../../src/node/engine/inference/verdict';
import { STROKE_FEATURES } from '../../../src/node/engine/inference/inkChecks';
import { decode, encode } from '../../../src/shared/wire';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_WAIT_MS, VerdictService } from '../../../src/node/services/verdicts';
import { CLASSES, GATES, SIDE } from '../../../src/shared/types';
import { randomTracer, tempDir } from '../../helpers';

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

/** Stand-in class Gaussians of the right sizes, `per` for each class, their whitening filled with `mark`. */
const gaussians = (per: number, dims: number, mark: number) =>
  Array.from({ length: CLASSES * per }, (_, k) => ({
    whiten: new Float32Array(dims * dims).fill(mark),
    mean: new Float32Array(dims),
    logDet: 0,
    label: Math.floor(k / per),
  }));

/** Stand-in ink statistics, of the right counts and sizes (their values do not matter to the service). */
const inkStats = (mark: number): InkStats => ({
  strokes: gaussians(STROKE_DENSITY.perClass, STROKE_FEATURES, mark),
  held: {
    strokes: new Float32Array(VERDICT_DIGITS.held).fill(mark),
    shape: new Float32Array(VERDICT_DIGITS.held).fill(1),
    pieces: new Float32Array(VERDICT_DIGITS.held).fill(1),
  },
  n: VERDICT_DIGITS.fit,
  m: VERDICT_DIGITS.held,
  fitMs: 0,
});

/** Stand-in statistics of a version of `tracer`, of the right sizes, fitted on 3 held-out digits in 4 directions. */
const versionStats = (ink: InkStats, key: string) => {
  const F = 3 * H,
    dims = 4,
    m = 3;
  return {
    format: VERDICT_FORMAT,
    hidden: H,
    steps: verdictSteps(tracer.steps),
    mean: new Float32Array(F),
    basis: new Float32Array(dims * F),
    dims,
    classes: gaussians(1, dims, 1),
    strokes: ink.strokes,
    heldScores: { state: new Float32Array(m), strokes: new Float32Array(m) },
    distanceLimit: 1,
    distanceTypical: 0,
    shapeLimit: 0,
    piecesLimit: 0,
    temperature: 1,
    unsureMargin: 0,
    measured: { heldOut: m, eceBefore: 0, eceAfter: 0, accepted: 1, unsure: 0, fitMs: 0 },
    key,
  } satisfies VerdictStats & { key: string };
};

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
      return Promise.resolve(versionStats((jobs.at(-1)!.job as { ink: InkStats }).ink, key));
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
    expect(sent[0]!.held.strokes[0]).toBe(1);
    // The next start reads them from the cache: no ink fit, and the fit of a new version is sent what was cached.
    const b = recordingWorker();
    await new VerdictService(b.worker, tempDir(), cache).stats('k3', tracer);
    expect(b.jobs.map((j) => `${j.job.kind} ${j.key}`)).toEqual(['verdict k3']);
    const cached = (b.jobs[0].job as { ink?: InkStats }).ink!;
    expect(cached.held.strokes[0]).toBe(1);
    expect(cached.held.strokes).toBeInstanceOf(Float32Array);
    expect(cached.strokes[19].whiten[STROKE_FEATURES ** 2 - 1]).toBe(1);
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
    const damaged = (change: (s: InkStats) => void) => {
      const s = inkStats(7);
      change(s);
      return encode(s);
    };
    for (const content of [
      '{ not json',
      encode({ ...inkStats(7), m: 10 }),
      encode({ ...inkStats(7), held: { strokes: [1] } }),
      // Of the right counts, but sizes or values the verdict cannot read.
      damaged((s) => (s.strokes[5] = { ...s.strokes[5], whiten: s.strokes[5].whiten.slice(0, STROKE_FEATURES) })),
      damaged((s) => (s.strokes[19] = { ...s.strokes[19], mean: new Float32Array(STROKE_FEATURES + 1) })),
      damaged((s) => (s.strokes = s.strokes.filter((g) => g.label !== 3))),
      damaged((s) => (s.strokes = [...s.strokes, s.strokes[0]])),
      damaged((s) => (s.strokes[2] = { ...s.strokes[2], label: 10 })),
      damaged((s) => (s.held.pieces[3999] = NaN)),
      damaged((s) => (s.held.shape = s.held.shape.slice(1))),
      damaged((s) => (s.held.pieces = s.held.pieces.slice(1))),
      damaged((s) => (s.held.strokes = new Float32Array(VERDICT_DIGITS.held + 1))),
    ]) {
      const cache = tempDir();
      writeFileSync(file(cache), content);
      const w = recordingWorker();
      await new VerdictService(w.worker, tempDir(), cache).stats('k', tracer);
      expect(
        w.jobs.map((j) => j.job.kind),
        content.slice(0, 60),
      ).toEqual(['ink', 'verdict']);
      // What was refitted replaced what was damaged.
      expect((decode(readFileSync(file(cache), 'utf8')) as InkStats).held.strokes[0]).toBe(1);
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

describe("a version's cached statistics", () => {
  it('are fitted again when they do not fit the model: other sizes, values it cannot read, or the steps of another read', async () => {
    const cache = tempDir();
    const first = recordingWorker();
    await new VerdictService(first.worker, tempDir(), cache).stats('k', tracer);
    const file = join(cache, `k-verdict${VERDICT_FORMAT}.json`);
    const good = readFileSync(file, 'utf8');
    const changed = (change: (s: Record<string, unknown> & ReturnType<typeof versionStats>) => void) => {
      const s = decode(good) as ReturnType<typeof versionStats>;
      change(s);
      return encode(s);
    };
    const cases: [string, string, Tracer][] = [
      ['as written', good, tracer],
      ['the directions one short', changed((s) => (s.basis = s.basis.slice(1))), tracer],
      ["a class's mean of other directions", changed((s) => (s.classes[9] = { ...s.classes[9], mean: new Float32Array(5) })), tracer],
      ['a class missing', changed((s) => (s.classes = s.classes.slice(0, 9))), tracer],
      ['a held score not a number', changed((s) => (s.heldScores.state[2] = NaN)), tracer],
      ['no temperature', changed((s) => (s.temperature = 0)), tracer],
      ['an infinite limit', changed((s) => (s.distanceLimit = Infinity)), tracer],
      ['the steps of 28 rows for a model of 196 steps', good, randomTracer('rnn', H, { read: 'pixels:4' })],
    ];
    const refitted = [];
    for (const [name, content, t] of cases) {
      writeFileSync(file, content);
      const w = recordingWorker();
      await new VerdictService(w.worker, tempDir(), cache).stats('k', t);
      if (w.jobs.some((j) => j.job.kind === 'verdict')) refitted.push(name);
    }
    expect(refitted).toEqual(cases.slice(1).map(([name]) => name));
  });
});
