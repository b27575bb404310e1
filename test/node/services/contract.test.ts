import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatch } from '../../../src/node/services/dispatch';
import { registerIpc, type IpcMainLike } from '../../../src/main/ipc';
import { startWebServer } from '../../../src/node/web/server';
import { decode, encode } from '../../../src/shared/wire';
import { CHANNELS, MAX_REQUEST_BYTES, requests } from '../../../src/shared/contract';
import { badPayloads } from './badPayloads';
import { makeServices } from '../fixtures';
import { tempDir } from '../../helpers';

const cases = badPayloads();
const pixels = new Array(784).fill(0).map((_, i) => (i % 28 > 10 && i % 28 < 16 ? 1 : 0));

function expectClearError(r: { ok: boolean; error?: string }, c: { channel: unknown; why: string }) {
  expect(r.ok, `${String(c.channel)} ${c.why} should be refused`).toBe(false);
  expect(typeof r.error).toBe('string');
  expect(r.error!.length).toBeGreaterThan(10);
  if (typeof c.channel === 'string' && c.why !== 'unknown channel') expect(r.error).toContain(`${c.channel}: `);
}

describe('contract validation', () => {
  it(`answers ${cases.length} generated bad payloads through dispatch with clear errors and keeps serving`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const { services } = await makeServices();
    const dispatch = createDispatch(services);
    for (const c of cases) expectClearError(await dispatch(c.channel, c.payload), c);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ok = await dispatch('model:predict', { pixels });
    expect(ok.ok).toBe(true);
    expect(services.samples.size).toBe(0);
  });

  it(`answers the same ${cases.length} bad payloads through the Electron IPC handlers`, async () => {
    const { services } = await makeServices();
    const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    const APP = 'file:///app/out/renderer/index.html';
    registerIpc({ handle: (c, l) => handlers.set(c, l) }, createDispatch(services), APP);
    const event = { senderFrame: { url: APP, parent: null } };
    let viaIpc = 0;
    for (const c of cases) {
      const handler = typeof c.channel === 'string' ? handlers.get(c.channel) : undefined;
      // Electron itself rejects a channel nobody registered, and the preload exposes none.
      if (!handler) {
        expect(c.why === 'unknown channel' || c.why === 'channel not a string').toBe(true);
        continue;
      }
      viaIpc++;
      expectClearError((await handler(event, c.payload)) as { ok: boolean; error?: string }, c);
    }
    expect(viaIpc).toBeGreaterThanOrEqual(1000);
    expect(await handlers.get('model:predict')!(event, { pixels })).toMatchObject({ ok: true });
  });

  it('names the field and what was expected', async () => {
    const { services } = await makeServices();
    const dispatch = createDispatch(services);
    expect(await dispatch('model:predict', { pixels: [1, 2] })).toEqual({
      ok: false,
      error: 'model:predict: invalid request: pixels: expected an array of exactly 784 numbers (28×28)',
      code: 'invalidRequest',
      params: { channel: 'model:predict', detail: 'pixels: expected an array of exactly 784 numbers (28×28)' },
    });
    expect((await dispatch('samples:add', { pixels, label: 12 })) as { error: string }).toMatchObject({
      error: expect.stringMatching(/^samples:add: invalid request: label: .*<=9/),
    });
    expect(await dispatch('nope:nope', {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^unknown channel "nope:nope": expected one of app:status, /),
    });
    expect(await dispatch('models:activate', { id: 'v0042' })).toMatchObject({ ok: false, error: 'models:activate: model version v0042 does not exist' });
  });

  it('gives errors a person sees a stable code and parameters beside the English text, and none where it has no code', async () => {
    const { services } = await makeServices();
    const dispatch = createDispatch(services);
    expect(await dispatch('samples:delete', { id: 'sabcdef1' })).toEqual({
      ok: false,
      error: 'samples:delete: sample sabcdef1 does not exist',
      code: 'noSuchSample',
      params: { id: 'sabcdef1' },
    });
    expect(await dispatch('nope:nope', {})).toMatchObject({ code: 'unknownChannel', params: { channel: '"nope:nope"' } });
    expect(await dispatch('dataset:digits', { indices: [9999] })).toMatchObject({ ok: true });
    const plain = await dispatch('models:activate', { id: 'v0042' });
    expect(plain).not.toHaveProperty('code');
  });

  it(`answers the same ${cases.length} bad payloads over the WebSockets, then still serves`, async () => {
    const { services } = await makeServices();
    const server = await startWebServer({ root: tempDir(), dispatch: createDispatch(services) });
    const open = async (path: string) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}?token=${server.token}`);
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      const replies = new Map<number, { ok: boolean; error?: string }>();
      ws.on('message', (d) => {
        const m = decode(d.toString()) as { id: number; result: { ok: boolean; error?: string } };
        replies.set(m.id, m.result);
      });
      return { ws, replies };
    };
    const settle = async (done: () => boolean) => {
      const t0 = Date.now();
      while (!done() && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    };
    const message = (id: number, c: (typeof cases)[number]) => encode({ id, channel: c.channel, payload: c.payload });
    try {
      // Uploads go over their own socket; a message over 64 KB closes the page's socket unread.
      const upload = cases.filter((c) => c.channel === 'models:upload');
      const large = cases.filter((c) => c.channel !== 'models:upload' && message(0, c).length > MAX_REQUEST_BYTES);
      const small = cases.filter((c) => !upload.includes(c) && !large.includes(c));
      expect(small.length).toBeGreaterThanOrEqual(1000);
      for (const [path, list] of [
        ['/ws', small],
        ['/ws/upload', upload],
      ] as const) {
        const { ws, replies } = await open(path);
        // A page may have only so many requests waiting (more get a "busy" error), so send them in waves.
        for (let i = 0; i < list.length; i += 16) {
          list.slice(i, i + 16).forEach((c, k) => ws.send(message(i + k, c)));
          await settle(() => replies.has(Math.min(i + 15, list.length - 1)));
        }
        list.forEach((c, i) => expectClearError(replies.get(i)!, c));
        ws.close();
      }
      for (const c of large) {
        const { ws } = await open('/ws');
        const code = new Promise<number>((r) => ws.once('close', (n) => r(n)));
        ws.send(message(1, c));
        expect(await code, `${String(c.channel)} ${c.why}`).toBe(1009);
      }
      // Malformed frames: not JSON, not an object, no id.
      const { ws, replies } = await open('/ws');
      ws.send('{not json');
      ws.send('42');
      ws.send(JSON.stringify({ channel: 'app:status' }));
      ws.send(encode({ id: 99999, channel: 'model:predict', payload: { pixels } }));
      await settle(() => replies.has(99999));
      expect(replies.get(-1)).toMatchObject({ ok: false, error: expect.stringMatching(/^bad message: /) });
      expect(replies.get(99999)).toMatchObject({ ok: true });
      ws.close();
    } finally {
      await server.close();
    }
  });
});

describe('dispatch under hostile payloads', () => {
  it('answers a 6 MB string in every field of every channel, and as an unknown key, with a short error', async () => {
    const { services } = await makeServices();
    const dispatch = createDispatch(services);
    const huge = 'v'.repeat(6 * 1024 * 1024);
    const sent: string[] = [];
    for (const channel of CHANNELS) {
      const shape = (requests[channel] as unknown as { shape: Record<string, unknown> }).shape;
      for (const field of [...Object.keys(shape), huge]) {
        const r = await dispatch(channel, { [field]: huge });
        expect(r.ok, `${channel}.${field.slice(0, 10)}`).toBe(false);
        expect((r as { error: string }).error.length, `${channel}.${field.slice(0, 10)}`).toBeLessThan(1000);
        sent.push(`${channel}.${field.slice(0, 10)}`);
      }
    }
    expect(sent.length).toBeGreaterThan(2 * CHANNELS.length);
    services.shutdown();
  });

  it('never throws: a payload that throws when read, and a handler that throws, both come back as errors', async () => {
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('read trap');
        },
        ownKeys() {
          throw new Error('keys trap');
        },
        getOwnPropertyDescriptor() {
          throw new Error('descriptor trap');
        },
      },
    );
    const { services } = await makeServices();
    const dispatch = createDispatch(services);
    for (const channel of CHANNELS) await expect(dispatch(channel, trap)).resolves.toMatchObject({ ok: false });
    const throwing = createDispatch({
      handlers: {
        ...services.handlers,
        'app:status': () => {
          throw new TypeError('boom');
        },
      },
    });
    expect(await throwing('app:status', {})).toEqual({ ok: false, error: 'app:status: boom' });
    services.shutdown();
  });
});

describe('services through dispatch', () => {
  it('reports dataset sizes from the real files and serves test digits', async () => {
    const { services } = await makeServices();
    const dispatch = createDispatch(services);
    expect(await dispatch('dataset:info', {})).toMatchObject({ ok: true, value: { name: 'mnist', train: 60000, test: 10000, classes: 10 } });
    const r = (await dispatch('dataset:digits', { indices: [0, 9999] })) as {
      ok: true;
      value: { digits: { index: number; label: number; pixels: number[] }[] };
    };
    expect(r.value.digits.map((d) => [d.index, d.label, d.pixels.length])).toEqual([
      [0, 7, 784],
      [9999, 6, 784],
    ]);
  });

  it('adds, lists and deletes samples, persisted across a restart', async () => {
    const { services, userData } = await makeServices();
    const dispatch = createDispatch(services);
    const added = (await dispatch('samples:add', { pixels, label: 4 })) as { ok: true; value: { id: string } };
    expect(added.ok).toBe(true);
    const { SampleStore } = await import('../../../src/node/services/samples');
    const reopened = new SampleStore(`${userData}/samples`);
    expect(reopened.list().map((s) => [s.id, s.label])).toEqual([[added.value.id, 4]]);
    expect(reopened.list()[0].pixels).toEqual(pixels);
    expect(await dispatch('samples:delete', { id: added.value.id })).toEqual({ ok: true, value: { deleted: added.value.id } });
    expect(await dispatch('samples:delete', { id: added.value.id })).toMatchObject({ ok: false, error: expect.stringMatching(/does not exist/) });
  });

  it('evaluates the active model on the full test set with a consistent confusion matrix', async () => {
    const { services } = await makeServices();
    const e = await services.dataset.evaluate();
    const total = e.confusion.flat().reduce((a, b) => a + b, 0);
    const diag = e.confusion.reduce((a, row, i) => a + row[i], 0);
    expect(total).toBe(10000);
    expect(e.accuracy).toBeCloseTo(diag / 10000, 10);
    expect(e.predictions).toHaveLength(10000);
    for (const [key, list] of Object.entries(e.examples)) {
      const [t, p] = key.split('-').map(Number);
      expect(list.length).toBeLessThanOrEqual(50);
      for (const i of list) expect([t, e.predictions[i]]).toEqual([t, p]);
    }
  });
});
