/**
 * The attacks of a hostile client against web mode, each reproduced: a message that
 * crashed the server, a client that never reads, a full queue rebuilt by reconnecting,
 * sockets that lock the person out, parse bombs. After each, the server is still up,
 * holds a bounded amount, and answers another page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatch } from '../../../src/node/services/dispatch';
import type { AppServices } from '../../../src/node/services/index';
import { HIGH_WATER_BYTES, MAX_CONNECTIONS, MAX_IN_FLIGHT, MAX_RUNNING, startWebServer, type WebServer } from '../../../src/node/web/server';
import { MAX_REQUEST_BYTES } from '../../../src/shared/contract';
import { decode, encode } from '../../../src/shared/wire';
import { tempDir } from '../../helpers';
import { makeServices } from '../fixtures';

const PAGE = '<!doctype html><title>RNN Lens page</title>';
const ZEROS = new Array(784).fill(0);
let server: WebServer;
let services: AppServices;

beforeAll(async () => {
  const root = tempDir();
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), PAGE);
  ({ services } = await makeServices());
  server = await startWebServer({ root, dispatch: createDispatch(services) });
});
afterAll(async () => {
  await server.close();
  services.shutdown();
});

type Reply = { id: number; result: { ok: boolean; value?: unknown; error?: string; code?: string } };

async function page(path = '/ws'): Promise<{ ws: WebSocket; replies: Reply[]; call: (channel: string, payload: unknown) => Promise<Reply> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}?token=${server.token}`, { maxPayload: 256 * 1024 * 1024 });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const replies: Reply[] = [];
  const waiters = new Map<number, (r: Reply) => void>();
  ws.on('message', (d) => {
    const m = decode(d.toString()) as Reply;
    if (!('id' in m)) return;
    replies.push(m);
    waiters.get(m.id)?.(m);
  });
  let next = 1_000_000;
  return {
    ws,
    replies,
    call: (channel, payload) =>
      new Promise((resolve) => {
        const id = next++;
        waiters.set(id, resolve);
        ws.send(encode({ id, channel, payload }));
      }),
  };
}

/** A prediction from a fresh page succeeds. */
async function stillServes(): Promise<void> {
  const p = await page();
  const r = await p.call('model:predict', { pixels: ZEROS });
  expect(r.result.ok, r.result.error).toBe(true);
  expect((r.result.value as { probs: number[] }).probs).toHaveLength(10);
  p.ws.close();
}

/** The code a socket is closed with. */
const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

const until = async (cond: () => boolean, ms = 20_000) => {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

describe('web mode under the attacks of a hostile client', () => {
  it('answers a 5.7-million-character version id with an error instead of exiting, on every channel that takes one', async () => {
    const id = `v${'0'.repeat(5_700_000)}`;
    const dispatch = createDispatch(services);
    for (const [channel, payload] of [
      ['models:activate', { id }],
      ['models:delete', { id }],
      ['models:export', { id }],
      ['viz:map', { id }],
      ['viz:trace', { id, pixels: ZEROS }],
    ] as const) {
      const r = await dispatch(channel, payload);
      expect(r, channel).toMatchObject({ ok: false, code: 'invalidRequest' });
      expect((r as { error: string }).error.length, channel).toBeLessThan(500);
    }
    // Over the page's WebSocket the size limit answers first, before anything is parsed.
    const p = await page();
    p.ws.send(encode({ id: 1, channel: 'models:activate', payload: { id } }));
    expect(await closeCode(p.ws)).toBe(1009);
    await stillServes();
  });

  it('keeps what a client that never reads can make it hold bounded, and still serves others', async () => {
    const indices = Array.from({ length: 200 }, (_, i) => i);
    // The size of one reply, from a page that reads.
    const reader = await page();
    await reader.call('dataset:digits', { indices });
    const replyBytes = encode(reader.replies[0]).length;
    reader.ws.close();
    const p = await page();
    // Stop reading replies: the server's send buffer for this page is all that can grow.
    (p.ws as unknown as { pause(): void }).pause();
    for (let i = 0; i < 2500; i++) p.ws.send(encode({ id: i, channel: 'dataset:digits', payload: { indices } }));
    // Watch until the server has done all it will do for this page.
    let most = 0;
    let last = -1;
    let still = 0;
    for (let t = 0; t < 1000 && still < 50; t++) {
      await new Promise((r) => setTimeout(r, 20));
      const { unread } = server.stats();
      most = Math.max(most, unread);
      still = unread === last ? still + 1 : 0;
      last = unread;
    }
    // It kept going until the page stopped reading, then held at most what its running requests add past the mark.
    expect(most).toBeGreaterThan(HIGH_WATER_BYTES);
    expect(most).toBeLessThan(HIGH_WATER_BYTES + MAX_RUNNING * replyBytes);
    expect(server.stats().waiting).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    await stillServes();
    p.ws.terminate();
  });

  it('drops the visualisation work of pages that asked for much and left, round after round', async () => {
    const worker = services.viz.worker;
    for (let round = 0; round < 3; round++) {
      const p = await page();
      for (let i = 0; i < 40; i++) p.ws.send(encode({ id: i, channel: 'viz:importance', payload: { pixels: ZEROS } }));
      await until(() => worker.queued > 0, 2_000);
      expect(worker.queued).toBeLessThanOrEqual(worker.maxQueued);
      p.ws.terminate();
      expect(await until(() => worker.queued === 0)).toBe(true);
    }
    await stillServes();
  });

  it('lets the page and a WebSocket in while 64 sockets with a wrong token sit unread, and while 64 more sit idle', async () => {
    const hostile: Socket[] = [];
    const upgrade = `GET /ws?token=wrong HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      s.pause();
      s.write(upgrade);
      hostile.push(s);
    }
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      s.pause();
      hostile.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    // Refused upgrades were closed at once; idle sockets make room for newcomers.
    expect(server.stats().connections).toBeLessThanOrEqual(MAX_CONNECTIONS);
    const res = await fetch(server.url, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(PAGE);
    await stillServes();
    for (const s of hostile) s.destroy();
  });

  it('closes the page’s socket on a message over 64 KB before parsing it, and refuses a nested-array bomb of any size', async () => {
    const big = await page();
    big.ws.send(`{"id":7,"channel":"model:predict","payload":${'['.repeat(15_000_000)}${']'.repeat(15_000_000)}}`);
    expect(await closeCode(big.ws)).toBe(1009);
    const p = await page();
    const small = '['.repeat(20_000) + ']'.repeat(20_000);
    expect(small.length).toBeLessThan(MAX_REQUEST_BYTES);
    const bomb = await new Promise<Reply>((resolve) => {
      p.ws.once('message', (d) => resolve(decode(d.toString()) as Reply));
      p.ws.send(`{"id":8,"channel":"model:predict","payload":${small}}`);
    });
    expect(bomb.result.ok).toBe(false);
    expect(bomb.result.error).toMatch(/more than 64 arrays and objects/);
    p.ws.close();
    // Large messages go only over the upload socket, and are refused there too when nested.
    const up = await page('/ws/upload');
    const upload = await new Promise<Reply>((resolve) => {
      up.ws.once('message', (d) => resolve(decode(d.toString()) as Reply));
      up.ws.send(`{"id":9,"channel":"models:upload","payload":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);
    });
    expect(upload.result.error).toMatch(/more than 64 arrays and objects/);
    up.ws.close();
    await stillServes();
  });

  it('takes uploads only on the upload socket, one at a time, and nothing else there', async () => {
    const p = await page();
    expect((await p.call('models:upload', { files: [] })).result.error).toMatch(/does not take models:upload; send uploads over \/ws\/upload/);
    p.ws.close();
    const up = await page('/ws/upload');
    expect((await up.call('model:predict', { pixels: ZEROS })).result.error).toMatch(/\/ws\/upload does not take model:predict/);
    expect((await up.call('models:upload', { files: [] })).result).toMatchObject({ ok: false, code: 'invalidRequest' });
    const second = new WebSocket(`ws://127.0.0.1:${server.port}/ws/upload?token=${server.token}`);
    const status = await new Promise<number>((resolve) => {
      second.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      second.on('open', () => resolve(101));
    });
    expect(status).toBe(503);
    up.ws.close();
    await stillServes();
  });
});
