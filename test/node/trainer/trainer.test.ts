import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { forkTrainer } from '../../../src/node/trainer/forkTrainer';
import { STOP_GRACE_MS, TrainerManager } from '../../../src/node/trainer/manager';
import type { TrainStartRequest } from '../../../src/shared/contract';
import type { PathChoice } from '../../../src/shared/types';
import type { CodedMessage } from '../../../src/shared/errors';
import { makeServices, waitFor } from '../fixtures';

// The trainer processes inherit the backend from here: pinned, so they train on the fused kernels wherever this runs.
const savedBackend = process.env.RNN_LENS_BACKEND;
beforeAll(() => {
  process.env.RNN_LENS_BACKEND = 'wasm';
});
afterAll(() => {
  if (savedBackend === undefined) delete process.env.RNN_LENS_BACKEND;
  else process.env.RNN_LENS_BACKEND = savedBackend;
});

const small: TrainStartRequest = { mode: 'scratch', cell: 'rnn', hidden: 16, epochs: 2, learningRate: 0.003, batchSize: 32, limit: 640 };
const long: TrainStartRequest = { ...small, epochs: 50, limit: 60000 };
const pixels = new Array(784).fill(0).map((_, i) => (i % 28 === 14 ? 1 : 0));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('trainer process', () => {
  it('trains in its own process, throttles progress, keeps predicting, then hot-swaps the new version', async () => {
    const { services, events, userData } = await makeServices();
    const before = await services.handlers['model:predict']({ pixels }, {});
    // Long enough (about a second on the fused kernels) for the throttle to matter.
    services.training.start({ ...small, limit: 16000 });
    expect(services.training.trainer.pid).toBeGreaterThan(0);
    expect(services.training.trainer.pid).not.toBe(process.pid);
    expect(services.status().training).toMatchObject({ cell: 'rnn', epochs: 2 });
    expect(() => services.training.start(small)).toThrow(/a training run is already in progress/);
    await waitFor(events, 'train:progress');
    // The path is chosen by timing both (no cache yet) and reported before the first batch.
    const firstPath = events.findIndex((e) => e.event === 'train:path');
    expect(firstPath).toBeGreaterThanOrEqual(0);
    expect(firstPath).toBeLessThan(events.findIndex((e) => e.event === 'train:progress'));
    const choice = events[firstPath].payload as PathChoice;
    expect(choice).toMatchObject({ path: 'kernels', reason: 'measured', backend: 'wasm' });
    expect(choice.kernelsPerSec).toBeGreaterThan(choice.tfjsPerSec!);
    expect(services.status().trainingPath).toEqual(choice);
    expect(existsSync(join(userData, 'training-paths.json'))).toBe(true);
    // Main keeps answering with the old model while the run goes on.
    const during = await services.handlers['model:predict']({ pixels }, {});
    expect(during.probs).toEqual((before as { probs: number[] }).probs);
    const done = await waitFor(events, 'train:done');
    expect(done.summary.cancelled).toBe(false);
    // What a person waited for, from the request: the trainer's start, loading, training, testing and saving.
    expect(done.waitedSec).toBeGreaterThan(done.summary.elapsedSec);
    expect(done.summary.path).toBe('kernels');
    expect(done.summary.choice).toEqual(choice);
    expect(services.status().trainingPath).toBeNull();
    expect(done.version?.manifest.backend).toBe('wasm');
    expect(done.summary.epochs).toHaveLength(2);
    expect(done.version?.id).toBe('v0002');
    expect(services.status().active?.id).toBe('v0002');
    expect(services.status().training).toBeNull();
    const after = await services.handlers['model:predict']({ pixels }, {});
    expect(after.probs).not.toEqual((before as { probs: number[] }).probs);
    const changed = events.filter((e) => e.event === 'models:changed').map((e) => (e.payload as { active: { id: string } }).active.id);
    expect(changed).toEqual(['v0001', 'v0002']);
    const progress = events.filter((e) => e.event === 'train:progress');
    expect(progress.length).toBeGreaterThan(2);
    for (let i = 1; i < progress.length; i++) expect(progress[i].at - progress[i - 1].at).toBeGreaterThanOrEqual(95);
    // Every epoch's summary reaches the renderer: as progress while the run goes on, and all of them in train:done.
    expect(progress.filter((e) => (e.payload as { kind: string }).kind === 'epoch').length).toBeLessThanOrEqual(2);
    expect(done.summary.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    // The probe set on the map before training and after each epoch, checked by the protocol on the way.
    const frames = events.filter((e) => e.event === 'train:map').map((e) => e.payload as { epoch: number; landmarks: Float32Array; labels: number[] });
    expect(frames.map((f) => f.epoch)).toEqual([0, 1, 2]);
    for (const f of frames) {
      expect(f.landmarks).toBeInstanceOf(Float32Array);
      expect(f.landmarks.length).toBe(2 * f.labels.length);
      expect(f.labels.length).toBeGreaterThan(0);
    }
  });

  it("fine-tunes the active model with the user's samples and records its parent", async () => {
    const { services, events } = await makeServices();
    services.samples.add(pixels, 1);
    services.samples.add(
      pixels.map((v) => 1 - v),
      8,
    );
    services.training.start({ ...small, mode: 'finetune', cell: 'lstm', hidden: 64, epochs: 1, limit: 256 });
    // Fine-tuning keeps the active model's architecture, whatever the form said.
    expect(services.status().training).toMatchObject({ mode: 'finetune', cell: 'rnn', hidden: 16 });
    const done = await waitFor(events, 'train:done');
    expect(done.summary.path).toBe('kernels');
    expect(done.version?.manifest).toMatchObject({ cell: 'rnn', hidden: 16, parent: 'v0001', dataset: 'mnist (256 digits) + 2 user samples × 32' });
    expect(services.status().active?.id).toBe('v0002');
  });

  it('cancel kills the process and leaves the active model alone', async () => {
    const { services, events } = await makeServices();
    services.training.start(long);
    const pid = services.training.trainer.pid!;
    await waitFor(events, 'train:progress');
    expect(services.handlers['train:cancel']({}, {})).toEqual({ cancelled: true });
    const done = await waitFor(events, 'train:done');
    expect(done).toMatchObject({ summary: { cancelled: true, path: null }, version: null });
    await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    expect(services.status().active?.id).toBe('v0001');
    expect(services.store.list().map((v) => v.id)).toEqual(['v0001']);
    expect(services.handlers['train:cancel']({}, {})).toEqual({ cancelled: false });
  });

  it('stop and keep saves the last finished epoch as a new active version; the epoch cut short is dropped', async () => {
    const { services, events } = await makeServices();
    // Epochs of 60,000 digits, so the first half of the second one spans several progress events
    // (one per 100 ms) even on a fast machine.
    services.training.start(long);
    // Stop part-way through the second epoch.
    await waitFor(events, 'train:progress', (p) => p.kind === 'batch' && p.epoch === 2 && p.batch < p.batches / 2, 120_000);
    expect(services.handlers['train:stop']({}, {})).toEqual({ stopping: true });
    const done = await waitFor(events, 'train:done', () => true, 120_000);
    expect(done.summary.cancelled).toBe(true);
    expect(done.summary.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(done.version).toMatchObject({ id: 'v0002', manifest: { epochs: 1, testAccuracy: done.summary.epochs[0].testAccuracy } });
    expect(done.version!.manifest.command).toMatch(/"seed":\d+/);
    expect(services.status().active?.id).toBe('v0002');
    // The saved weights are epoch 1's: evaluated again, they score what epoch 1 scored.
    const evaluation = await services.handlers['eval:run']({}, {});
    expect(evaluation).toMatchObject({ modelId: 'v0002', accuracy: done.summary.epochs[0].testAccuracy });
    expect(services.handlers['train:stop']({}, {})).toEqual({ stopping: false });
  });

  it('stop before any epoch finished saves nothing, as cancel does', async () => {
    const { services, events } = await makeServices();
    services.training.start(long);
    await waitFor(events, 'train:progress', (p) => p.kind === 'batch');
    expect(services.handlers['train:stop']({}, {})).toEqual({ stopping: true });
    const done = await waitFor(events, 'train:done', () => true, 120_000);
    expect(done).toMatchObject({ summary: { cancelled: true, epochs: [] }, version: null });
    expect(services.store.list().map((v) => v.id)).toEqual(['v0001']);
  });

  it('a crashed trainer surfaces as an error event; the active model is unharmed and a new run can start', async () => {
    const { services, events } = await makeServices();
    services.training.start(long);
    await waitFor(events, 'train:progress');
    process.kill(services.training.trainer.pid!, 'SIGKILL');
    const err = await waitFor(events, 'train:error');
    expect(err.error).toMatch(/trainer process stopped unexpectedly \(it was killed by SIGKILL\); the active model is unchanged/);
    // Coded, so the renderer words it in the person's language.
    expect(err).toMatchObject({ code: 'trainerKilled', params: { signal: 'SIGKILL' } });
    expect(services.status().active?.id).toBe('v0001');
    expect((await services.handlers['model:predict']({ pixels }, {})).probs).toHaveLength(10);
    services.training.start(small);
    services.training.trainer.cancel();
  });

  it('reports a failure inside the trainer, such as a bad data folder', async () => {
    const errors: CodedMessage[] = [];
    const m = new TrainerManager(() => forkTrainer(), { progress: () => {}, done: () => {}, cancelled: () => {}, error: (e) => errors.push(e) });
    m.start({
      type: 'start',
      job: { config: { cell: 'rnn', hidden: 8, epochs: 1, learningRate: 0.001, batchSize: 32, limit: 64, seed: 1 }, testLimit: 10 },
      dataDir: '/nonexistent',
      datasetName: 'x',
    });
    const t0 = Date.now();
    while (!errors.length && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    expect(errors[0].error).toMatch(/^training failed: train-images-idx3-ubyte: not found in \/nonexistent/);
    expect(errors[0]).toMatchObject({ code: 'trainerFailed', params: { detail: expect.stringMatching(/^train-images-idx3-ubyte: not found/) } });
    expect(m.job).toBeNull();
  });
});

describe('trainer manager with a fake child', () => {
  function fakeChild() {
    const h: { msg?: (m: unknown) => void; exit?: (c: number | null, s: string | null, d: string) => void } = {};
    return {
      h,
      child: {
        pid: 1,
        postMessage: () => {},
        onMessage: (cb: (m: unknown) => void) => (h.msg = cb),
        onExit: (cb: typeof h.exit) => (h.exit = cb),
        kill: () => {},
      },
    };
  }
  const job = {
    type: 'start' as const,
    job: { config: { cell: 'rnn' as const, hidden: 8, epochs: 1, learningRate: 0.001, batchSize: 32, limit: 64, seed: 1 }, testLimit: 10 },
    dataDir: '/x',
    datasetName: 'x',
  };

  it('gives each run that names no seed a fresh one, and keeps a seed that is named', () => {
    const seeds: number[] = [];
    const spawn = () => ({
      ...fakeChild().child,
      postMessage: (m: { type: string; job?: { config: { seed: number } } }) => void seeds.push(m.job!.config.seed),
    });
    return makeServices({ spawn: spawn as never }).then(({ services }) => {
      const quick = { mode: 'scratch' as const, cell: 'gru' as const, hidden: 64, epochs: 1, learningRate: 0.02, batchSize: 64, limit: 35_000 };
      for (let i = 0; i < 3; i++) {
        services.training.start(quick);
        services.training.cancel();
      }
      services.training.start({ ...quick, seed: 7 });
      services.training.cancel();
      expect(new Set(seeds.slice(0, 3)).size).toBe(3);
      for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s <= 2 ** 31 - 1).toBe(true);
      expect(seeds[3]).toBe(7);
    });
  });

  it('stop asks the trainer to stop, and cancels a trainer that does not answer in time', async () => {
    vi.useFakeTimers();
    try {
      const f = fakeChild();
      const sent: unknown[] = [];
      let cancelled = 0;
      const m = new TrainerManager(() => ({ ...f.child, postMessage: (msg: unknown) => void sent.push(msg) }) as never, {
        progress: () => {},
        done: () => {},
        cancelled: () => cancelled++,
        error: () => {},
      });
      m.start(job);
      expect(m.stop()).toBe(true);
      expect(m.stop()).toBe(true);
      expect(sent.filter((x) => (x as { type: string }).type === 'stop')).toHaveLength(1);
      vi.advanceTimersByTime(STOP_GRACE_MS - 1);
      expect(cancelled).toBe(0);
      vi.advanceTimersByTime(1);
      expect(cancelled).toBe(1);
      expect(m.job).toBeNull();
      expect(m.stop()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('names running out of memory', () => {
    const f = fakeChild();
    const errors: CodedMessage[] = [];
    const m = new TrainerManager(() => f.child as never, { progress: () => {}, done: () => {}, cancelled: () => {}, error: (e) => errors.push(e) });
    m.start(job);
    f.h.exit!(134, null, '<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    expect(errors).toEqual([{ error: 'the trainer process ran out of memory; try a smaller hidden size or batch', code: 'trainerOutOfMemory' }]);
    expect(m.job).toBeNull();
  });

  it('checks every message from the trainer and turns a malformed one into an error', () => {
    const bad: unknown[] = [
      null,
      'done',
      { type: 'done', summary: { epochs: [] }, backend: 'wasm' },
      { type: 'progress', progress: { kind: 'batch', epoch: 'one' } },
      { type: 'path', choice: { path: 'gpu', reason: 'measured', backend: 'wasm' } },
      { type: 'path', choice: { path: 'kernels', reason: 'measured', backend: 'wasm', kernelsPerSec: -5, tfjsPerSec: 1 } },
      { type: 'path', choice: { path: 'kernels', reason: 'because', backend: 'wasm' } },
      { type: 'map', frame: { epoch: 1, landmarks: new Float32Array([NaN, 0]), labels: [3], explained: [0.2, 0.1] } },
      { type: 'map', frame: { epoch: 1, landmarks: [0, 0], labels: [3], explained: [0.2, 0.1] } },
      { type: 'map', frame: { epoch: 1, landmarks: new Float32Array([0, 0]), labels: [10], explained: [0.2, 0.1] } },
      { type: 'map', frame: { epoch: 1, landmarks: new Float32Array([0, 0]), labels: [-1], explained: [0.2, 0.1] } },
      {
        type: 'done',
        summary: { epochs: [], testAccuracy: 0.9, cancelled: false, path: 'kernels', choice: null, elapsedSec: 1, samplesPerSec: 1 },
        backend: 'wasm',
        dataset: 'mnist',
        modelJson: 'not bytes',
        weights: null,
      },
    ];
    for (const msg of bad) {
      const f = fakeChild();
      const errors: CodedMessage[] = [];
      const done: unknown[] = [];
      const m = new TrainerManager(() => f.child as never, {
        progress: () => {},
        done: (d) => void done.push(d),
        cancelled: () => {},
        error: (e) => errors.push(e),
      });
      m.start(job);
      f.h.msg!(msg);
      expect(done).toEqual([]);
      expect(errors[0].error).toMatch(/^training failed: the trainer sent a malformed message \(/);
      expect(errors[0].code).toBe('trainerMalformed');
      expect(m.job).toBeNull();
    }
  });

  it('delivers at most one progress event per 100 ms and never drops an epoch summary', async () => {
    const f = fakeChild();
    const got: { kind: string; at: number }[] = [];
    const m = new TrainerManager(() => f.child as never, {
      progress: (p) => got.push({ kind: p.kind, at: Date.now() }),
      done: () => {},
      cancelled: () => {},
      error: () => {},
    });
    m.start(job);
    const batch = { kind: 'batch', epoch: 1, epochs: 3, batch: 1, batches: 100, loss: 1, accuracy: 0.5, samplesPerSec: 1, etaSec: 1, elapsedSec: 1 };
    // A trainer sending 300 batch events about a millisecond apart, with three epoch summaries among them.
    for (let i = 0; i < 300; i++) {
      f.h.msg!({
        type: 'progress',
        progress:
          i % 100 === 50 ? { kind: 'epoch', epoch: 1, epochs: 3, avgCost: 1, trainAccuracy: 1, testAccuracy: 1, samplesPerSec: 1, elapsedSec: 1 } : batch,
      });
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 450));
    // Timers may fire a few milliseconds early or late, so the spacing is held to 95 ms and
    // the count to what that spacing allows; without the throttle, about 300 events arrive.
    const span = got[got.length - 1].at - got[0].at;
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.length).toBeLessThanOrEqual(Math.floor(span / 95) + 1);
    for (let i = 1; i < got.length; i++) expect(got[i].at - got[i - 1].at).toBeGreaterThanOrEqual(95);
    expect(got.filter((g) => g.kind === 'epoch')).toHaveLength(3);
    m.cancel();
  });
});
