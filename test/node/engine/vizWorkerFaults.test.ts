/**
 * The visualisation worker's side of the queue against a stand-in thread, so that what a real
 * thread rarely does can be made to happen: a reply for another job, a crash, an exit, an old
 * thread's late exit. Also what a caller is told when it is refused, and what crosses to the thread.
 */
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Tracer } from '../../../src/node/engine/inference/trace';
import type { VizRequest } from '../../../src/node/engine/viz/vizWorker';

class FakeThread extends EventEmitter {
  readonly posted: VizRequest[] = [];
  postMessage(m: VizRequest): void {
    this.posted.push(m);
  }
  terminate = vi.fn(async () => 0);
  unref(): void {}
}

const started: { name: string; data: unknown; thread: FakeThread }[] = [];
vi.mock('../../../src/node/engine/threads', () => ({
  startWorker: (name: string, data: unknown) => {
    const thread = new FakeThread();
    started.push({ name, data, thread });
    return thread;
  },
}));
const { VizWorker } = await import('../../../src/node/engine/viz/vizWorker');

const tracer = (name: string) => ({ snapshot: () => ({ name }) }) as unknown as Tracer;
const job = { kind: 'trace' as const, pixels: new Float32Array(784) };
const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: Error & { code?: string; params?: object }) => ({ error }),
  );

beforeEach(() => {
  started.length = 0;
});

describe('the visualisation worker against a stand-in thread', () => {
  it('tells the thread which kernel build to run, and sends a model’s weights only when its key changes', async () => {
    const worker = new VizWorker('test', 16, 'checked');
    const first = worker.run(tracer('a'), 'a', job);
    expect(started.map((s) => [s.name, s.data])).toEqual([['viz-worker', { build: 'checked' }]]);
    const { thread } = started[0];
    thread.emit('message', { id: thread.posted[0].id, ok: true, value: 1 });
    expect(await first).toBe(1);
    const second = worker.run(tracer('a'), 'a', job);
    thread.emit('message', { id: thread.posted[1].id, ok: true, value: 2 });
    expect(await second).toBe(2);
    const third = worker.run(tracer('b'), 'b', job);
    thread.emit('message', { id: thread.posted[2].id, ok: true, value: 3 });
    expect(await third).toBe(3);
    expect(thread.posted.map((r) => r.model ?? null)).toEqual([{ name: 'a' }, null, { name: 'b' }]);
    expect(new Set(thread.posted.map((r) => r.id)).size).toBe(3);
    await worker.close();
  });

  it('ignores a reply for a job other than the one running', async () => {
    const worker = new VizWorker('test');
    const running = settled(worker.run(tracer('a'), 'a', job));
    const { thread } = started[0];
    const id = thread.posted[0].id;
    thread.emit('message', { id: id + 100, ok: true, value: 'stale' });
    thread.emit('message', { id, ok: true, value: 'mine' });
    expect(await running).toEqual({ value: 'mine' });
    await worker.close();
  });

  it('fails the running job when the thread crashes, then starts a new thread with the weights sent again', async () => {
    const worker = new VizWorker('test');
    const running = settled(worker.run(tracer('a'), 'a', job));
    const waiting = worker.run(tracer('a'), 'a', job);
    started[0].thread.emit('error', new Error('out of memory'));
    expect(await running).toMatchObject({ error: { message: 'out of memory' } });
    // The waiting job went to a new thread, with the model's weights: the new thread holds none.
    expect(started).toHaveLength(2);
    const fresh = started[1].thread;
    expect(fresh.posted.map((r) => r.model ?? null)).toEqual([{ name: 'a' }]);
    // The old thread's exit, after the error, touches nothing of the new one.
    started[0].thread.emit('exit', 1);
    fresh.emit('message', { id: fresh.posted[0].id, ok: true, value: 'done' });
    expect(await waiting).toBe('done');
    expect(started).toHaveLength(2);
    await worker.close();
  });

  it('fails the running job with the exit code when the thread exits, and answers the next on a new thread', async () => {
    const worker = new VizWorker('test');
    const running = settled(worker.run(tracer('a'), 'a', job));
    started[0].thread.emit('exit', 3);
    expect(await running).toMatchObject({ error: { message: 'the test worker stopped (exit code 3)' } });
    const next = worker.run(tracer('a'), 'a', job);
    const fresh = started[1].thread;
    fresh.emit('message', { id: fresh.posted[0].id, ok: false, error: 'no such model' });
    await expect(next).rejects.toThrow('no such model');
    await worker.close();
  });

  it('refuses a job whose page has already gone, before it reaches the thread, saying so by name', async () => {
    const worker = new VizWorker('test');
    const gone = new AbortController();
    gone.abort();
    const r = await settled(worker.run(tracer('a'), 'a', job, gone.signal));
    expect(r).toMatchObject({ error: { code: 'cancelled', message: 'trace: cancelled: the page that asked has gone', params: { channel: 'trace' } } });
    expect(started).toHaveLength(0);
    await worker.close();
  });

  it('answers busy past its queue, naming the channel and the limit', async () => {
    const worker = new VizWorker('test', 2);
    const jobs = [0, 1, 2].map(() => settled(worker.run(tracer('a'), 'a', job)));
    const r = await settled(worker.run(tracer('a'), 'a', { kind: 'importance', pixels: new Float32Array(784) }));
    expect(r).toMatchObject({
      error: {
        code: 'busy',
        message: 'viz:importance: busy: 2 requests are already waiting; try again when they finish',
        params: { channel: 'viz:importance', limit: 2 },
      },
    });
    await worker.close();
    await Promise.all(jobs);
  });

  it('lets a page that goes after the worker was closed touch none of the jobs that came later', async () => {
    const worker = new VizWorker('test');
    const page = new AbortController();
    const before = [settled(worker.run(tracer('a'), 'a', job)), settled(worker.run(tracer('a'), 'a', job, page.signal))];
    await worker.close();
    const running = worker.run(tracer('a'), 'a', job);
    const later = worker.run(tracer('a'), 'a', job);
    page.abort();
    expect(worker.queued).toBe(1);
    const fresh = started[1].thread;
    fresh.emit('message', { id: fresh.posted[0].id, ok: true, value: 1 });
    expect(await running).toBe(1);
    fresh.emit('message', { id: fresh.posted[1].id, ok: true, value: 2 });
    expect(await later).toBe(2);
    for (const r of await Promise.all(before)) expect(r).toMatchObject({ error: { message: 'the test worker was closed' } });
    await worker.close();
  });

  it('is called the visualisation worker unless named', async () => {
    const worker = new VizWorker();
    const running = settled(worker.run(tracer('a'), 'a', job));
    await worker.close();
    expect(await running).toMatchObject({ error: { message: 'the visualisation worker was closed' } });
    expect(started[0].thread.terminate).toHaveBeenCalledOnce();
  });
});
