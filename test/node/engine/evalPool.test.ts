/**
 * The evaluation threads are kept between calls: a second evaluation starts no
 * thread, a thread that stops fails the call in flight with a coded error and the
 * next call starts fresh ones, calls queue (and too many are refused as busy),
 * models of other cells and sizes share the threads (GRU-5 and LSTM-8 both run
 * on 8-unit kernels, kept apart), and close leaves none.
 */
import type * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/node/engine/backend';
import { defaultMnistDir, loadSplit } from '../../../src/node/engine/data/dataset';
import { EvalPool, MAX_WAITING, type StartWorker } from '../../../src/node/engine/inference/evalPool';
import { shareOf } from '../../../src/node/engine/inference/evalWorker';
import { classifyOffThread, predictClasses } from '../../../src/node/engine/inference/evaluate';
import { createModel } from '../../../src/node/engine/model/model';
import { namedWeights } from '../../../src/node/engine/model/weights';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { startWorker } from '../../../src/node/engine/threads';
import { CodedError } from '../../../src/shared/errors';

/** A pool whose threads the test can see (and stop). */
function watchedPool(threads = 2) {
  const workers: Worker[] = [];
  const start: StartWorker = (name, data) => {
    const w = startWorker(name, data);
    workers.push(w);
    return w;
  };
  return { pool: new EvalPool({ dataDir: defaultMnistDir(), threads, start }), workers };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof CodedError ? e.code : `uncoded: ${String(e)}`),
  );

describe('evaluation threads', () => {
  let shipped: tf.LayersModel;
  /** The shipped model's predictions from model.predict, the reference for every call. */
  let reference: number[];

  beforeAll(async () => {
    await initBackend('wasm');
    shipped = (await loadModelFolder(join(process.cwd(), 'resources', 'model'))).model;
    reference = Array.from(predictClasses(shipped, loadSplit(defaultMnistDir(), 't10k')));
  });
  afterAll(() => shipped.dispose());

  it('splits the test set into whole batches, in order, covering every digit once', () => {
    for (const [n, batch, of] of [
      [10_000, 256, 2],
      [10_000, 256, 3],
      [100, 256, 2],
      [1000, 128, 4],
    ]) {
      const shares = Array.from({ length: of }, (_, i) => shareOf(n, batch, i, of));
      let next = 0;
      for (const s of shares) {
        expect(s.start).toBe(next);
        if (s.start + s.count < n) expect(s.count % batch).toBe(0);
        next += s.count;
      }
      expect(next).toBe(n);
    }
  });

  it('keeps its threads: a second evaluation starts none and gives the same predictions', async () => {
    const { pool } = watchedPool();
    try {
      const first = await classifyOffThread(shipped, pool);
      expect(pool.started).toBe(2);
      expect(Array.from(first.predicted)).toEqual(reference);
      const second = await classifyOffThread(shipped, pool);
      expect(pool.started).toBe(2);
      expect(Array.from(second.predicted)).toEqual(reference);
      expect(Array.from(second.labels)).toEqual(Array.from(first.labels));
    } finally {
      await pool.close();
    }
  });

  it('after a thread is stopped while idle, the next evaluation starts fresh threads and is right', async () => {
    const { pool, workers } = watchedPool();
    try {
      await classifyOffThread(shipped, pool);
      await workers[1].terminate();
      expect(pool.running).toBe(0);
      const { predicted } = await classifyOffThread(shipped, pool);
      expect(pool.started).toBe(4);
      expect(Array.from(predicted)).toEqual(reference);
    } finally {
      await pool.close();
    }
  });

  it('a thread that stops mid-evaluation fails that call with evalStopped, and the next call works', async () => {
    const { pool, workers } = watchedPool();
    try {
      const call = codeOf(classifyOffThread(shipped, pool));
      const queued = classifyOffThread(shipped, pool);
      await once(workers[0], 'online');
      void workers[0].terminate();
      expect(await call).toBe('evalStopped');
      // The call that waited behind it runs on fresh threads.
      expect(Array.from((await queued).predicted)).toEqual(reference);
      expect(pool.started).toBe(4);
    } finally {
      await pool.close();
    }
  });

  it('runs concurrent calls one after another, switching models, and refuses calls past the queue as busy', async () => {
    const { pool } = watchedPool();
    const gru = createModel({ cell: 'gru', hidden: 5 });
    const lstm = createModel({ cell: 'lstm', hidden: 8 });
    try {
      const calls = [shipped, gru, lstm, shipped, gru, lstm, gru].map((m) => classifyOffThread(m, pool));
      const codes = await Promise.all(calls.map(codeOf));
      // One runs, MAX_WAITING wait, the rest are refused.
      expect(codes).toEqual([...new Array<string>(1 + MAX_WAITING).fill('resolved'), 'busy', 'busy']);
      const [a, b, c, d, e] = await Promise.all(calls.slice(0, 5));
      expect(Array.from(a.predicted)).toEqual(reference);
      expect(Array.from(d.predicted)).toEqual(reference);
      const test = loadSplit(defaultMnistDir(), 't10k', 2000);
      expect(Array.from(b.predicted.subarray(0, 2000))).toEqual(Array.from(predictClasses(gru, test)));
      expect(Array.from(e.predicted)).toEqual(Array.from(b.predicted));
      expect(Array.from(c.predicted.subarray(0, 2000))).toEqual(Array.from(predictClasses(lstm, test)));
      expect(pool.started).toBe(2);
    } finally {
      gru.dispose();
      lstm.dispose();
      await pool.close();
    }
  });

  it('a cancelled call leaves the line, or stops the threads under it when it runs; the next call is right', async () => {
    const { pool } = watchedPool();
    try {
      const first = new AbortController();
      const second = new AbortController();
      const running = codeOf(classifyOffThread(shipped, pool, first.signal));
      const waiting = codeOf(classifyOffThread(shipped, pool, second.signal));
      const after = classifyOffThread(shipped, pool);
      second.abort();
      expect(await waiting).toBe('cancelled');
      first.abort();
      expect(await running).toBe('cancelled');
      // The call behind them runs on fresh threads and is right.
      expect(Array.from((await after).predicted)).toEqual(reference);
      expect(pool.started).toBe(4);
      expect(await codeOf(classifyOffThread(shipped, pool, AbortSignal.abort()))).toBe('cancelled');
    } finally {
      await pool.close();
    }
  });

  it('close stops every thread and fails the calls in flight and after', async () => {
    const { pool, workers } = watchedPool();
    const call = codeOf(classifyOffThread(shipped, pool));
    await pool.close();
    expect(await call).toBe('evalStopped');
    expect(pool.running).toBe(0);
    expect(workers.map((w) => w.threadId)).toEqual([-1, -1]);
    expect(await codeOf(classifyOffThread(shipped, pool))).toBe('evalStopped');
  });

  it('a test set that cannot be read fails each call with its reason, not as a stopped thread', async () => {
    const pool = new EvalPool({ dataDir: join(tmpdir(), 'rnn-lens-no-such-folder'), threads: 1 });
    try {
      await expect(
        pool.classify(
          namedWeights(
            { cell: 'rnn', hidden: 8, read: 'rows' },
            [28 * 8, 64, 8, 80, 10].map((n) => new Float32Array(n)),
          ),
        ),
      ).rejects.toThrow(/evaluation failed: .*not found/);
      expect(pool.running).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('an idle pool does not keep the process alive, and a call in flight does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lens-evalpool-'));
    const script = join(dir, 'evaluate-once.mts');
    const src = (f: string) => JSON.stringify(pathToFileURL(join(process.cwd(), 'src/node/engine', f)).href);
    writeFileSync(
      script,
      `import { EvalPool } from ${src('inference/evalPool.ts')};
       import { defaultMnistDir } from ${src('data/dataset.ts')};
       const pool = new EvalPool({ dataDir: defaultMnistDir(), threads: 2 });
       const zeros = { cell: 'rnn', hidden: 8, read: 'rows', W: new Float32Array(28 * 8), U: new Float32Array(64), b: new Float32Array(8), Wd: new Float32Array(80), bd: new Float32Array(10) };
       pool.classify(zeros).then((r) => console.log('classified', r.predicted.length));`,
    );
    try {
      // No close(): the process must end by itself once the answer is in, and not before.
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.stdout).toContain('classified 10000');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
