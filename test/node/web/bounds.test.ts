/**
 * Web mode's bounds, each at its number, against a dispatcher that answers when the test says:
 * requests running and waiting per page, the heavy channels across pages, sockets per path,
 * message sizes and nesting, replies a page has not read, idle connections; and the helpers
 * that read a request before anything is parsed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Dispatch } from '../../../src/node/services/dispatch';
import {
  countContainers,
  HEAVY_CHANNELS,
  HIGH_WATER_BYTES,
  MAX_HEAVY_WAITING,
  MAX_IN_FLIGHT,
  MAX_RUNNING,
  MAX_SOCKETS,
  parseTarget,
  sniffHead,
  startWebServer,
  type WebServer,
} from '../../../src/node/web/server';
import { MAX_CONTAINERS, MAX_REQUEST_BYTES } from '../../../src/shared/contract';
import { decode, encode } from '../../../src/shared/wire';
import { tempDir } from '../../helpers';

const PAGE = '<!doctype html><title>bounds</title>';

type Reply = { id: number; result: { ok: boolean; value?: unknown; error?: string; code?: string; params?: unknown } };
interface Held {
  channel: unknown;
  payload: unknown;
  signal?: AbortSignal;
  answer: (value?: unknown) => void;
}

/** A server whose dispatcher holds every request until the test answers it, counting what runs at once. */
async function heldServer(root = site()): Promise<{ server: WebServer; held: Held[]; running: () => number; most: () => number }> {
  const held: Held[] = [];
  let running = 0;
  let most = 0;
  const dispatch: Dispatch = (channel, payload, ctx) =>
    new Promise((resolve) => {
      running++;
      most = Math.max(most, running);
      held.push({
        channel,
        payload,
        signal: ctx?.signal,
        answer: (value = channel) => {
          running--;
          resolve({ ok: true, value });
        },
      });
    });
  const server = await startWebServer({ root, dispatch });
  servers.push(server);
  return { server, held, running: () => running, most: () => most };
}

/** A folder with the page and one asset. */
function site(): string {
  const root = tempDir();
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  return root;
}

const servers: WebServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const s of servers.splice(0)) await s.close();
});

async function page(server: WebServer, path = '/ws'): Promise<{ ws: WebSocket; replies: Reply[]; send: (m: unknown) => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}?token=${server.token}`, { maxPayload: 512 * 1024 * 1024 });
  sockets.push(ws);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies: Reply[] = [];
  ws.on('message', (d) => replies.push(decode(d.toString()) as Reply));
  return { ws, replies, send: (m) => ws.send(typeof m === 'string' ? m : encode(m)) };
}

/** Status of a WebSocket upgrade: 101 when it opens, else the refusal's code. */
function upgradeStatus(server: WebServer, path: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}?token=${server.token}`);
    sockets.push(ws);
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => resolve(-1));
  });
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 10));
  return cond();
};
const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

describe('reading a request before parsing it', () => {
  it('parseTarget takes a decodable absolute path and its query, and nothing else', () => {
    const t = parseTarget('/assets/app.js?token=abc&x=1');
    expect(t?.path).toBe('/assets/app.js');
    expect(t?.query.get('token')).toBe('abc');
    expect(parseTarget('/%61ssets/a%20b.js')?.path).toBe('/assets/a b.js');
    expect(parseTarget('/')?.path).toBe('/');
    for (const bad of [undefined, '', 'assets/app.js', '//evil.example/x', '/%E0', '/a%00b', '/a%5Cb', 'http://127.0.0.1/'])
      expect(parseTarget(bad), String(bad)).toBeNull();
  });

  it('sniffHead reads the id and channel at the head of a message as the app writes it', () => {
    expect(sniffHead(Buffer.from('{"id":12,"channel":"model:predict","payload":{}}'))).toEqual({ id: 12, channel: 'model:predict' });
    expect(sniffHead(Buffer.from(' \n{ "id" : 7 , "channel" : "eval:run" ,'))).toEqual({ id: 7, channel: 'eval:run' });
    expect(sniffHead(Buffer.from(`{"id":${'9'.repeat(15)},"channel":"a:b"`))).toEqual({ id: 999999999999999, channel: 'a:b' });
    for (const bad of [
      `{"id":${'9'.repeat(16)},"channel":"a:b"`, // more digits than an id has
      '{"id":-1,"channel":"a:b"',
      '{"channel":"a:b","id":1',
      '{"id":1,"channel":"Model:predict"',
      '{"id":1,"channel":"predict"',
      `{"id":1,"channel":"${'a'.repeat(21)}:b"`,
      `${' '.repeat(200)}{"id":1,"channel":"a:b"`, // the head is read from the first 200 bytes only
      'x{"id":1,"channel":"a:b"',
    ])
      expect(sniffHead(Buffer.from(bad)), bad).toBeNull();
  });

  it('countContainers counts arrays and objects, and stops one past the limit', () => {
    expect(countContainers(Buffer.from('{"a":[1,{"b":[]}],"c":{}}'), 100)).toBe(5);
    expect(countContainers(Buffer.from('1'), 100)).toBe(0);
    expect(countContainers(Buffer.from('[[[[[[[[[['), 3)).toBe(4);
    expect(countContainers(Buffer.from('{{{{{{{{{{'), 3)).toBe(4);
    expect(countContainers(Buffer.from('[[{{'), 3)).toBe(4);
    expect(countContainers(Buffer.from('[[{{'), 4)).toBe(4);
  });
});

describe('what one page may make the server do', () => {
  it(`runs ${MAX_RUNNING} requests of a page at once and starts the rest as those finish`, async () => {
    const { server, held, most } = await heldServer();
    const p = await page(server);
    for (let id = 1; id <= 20; id++) p.send({ id, channel: 'model:trace', payload: { n: id } });
    await until(() => held.length >= MAX_RUNNING);
    await settle();
    expect(held).toHaveLength(MAX_RUNNING);
    expect(server.stats().waiting).toBe(20 - MAX_RUNNING);
    // In order: answering one starts the next waiting one.
    held[0].answer();
    await until(() => held.length === MAX_RUNNING + 1);
    expect(held[MAX_RUNNING].payload).toEqual({ n: MAX_RUNNING + 1 });
    while (held.some((h) => h.answer !== undefined) && p.replies.length < 20) {
      for (const h of held.splice(0)) h.answer();
      await settle(30);
    }
    await until(() => p.replies.length === 20);
    expect(p.replies.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(most()).toBe(MAX_RUNNING);
    expect(server.stats().waiting).toBe(0);
  });

  it(`answers busy past ${MAX_IN_FLIGHT} requests waiting, naming the channel, and the id it could read`, async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    for (let id = 1; id <= MAX_IN_FLIGHT + 2; id++) p.send({ id, channel: 'viz:trace', payload: {} });
    p.send('{"id":99,"channel":"model:predict","payload":');
    await until(() => p.replies.length === 3);
    expect(p.replies.map((r) => r.id)).toEqual([MAX_IN_FLIGHT + 1, MAX_IN_FLIGHT + 2, 99]);
    expect(p.replies[0].result).toEqual({
      ok: false,
      error: `viz:trace: busy: ${MAX_IN_FLIGHT} requests are already waiting; try again when they finish`,
      code: 'busy',
      params: { channel: 'viz:trace', limit: MAX_IN_FLIGHT },
    });
    // A message whose head cannot be read is "request" with id −1 when it is refused.
    p.send('not json at all');
    await until(() => p.replies.length === 4);
    expect(p.replies[3]).toEqual({
      id: -1,
      result: expect.objectContaining({ error: `request: busy: ${MAX_IN_FLIGHT} requests are already waiting; try again when they finish` }),
    });
    expect(held).toHaveLength(MAX_RUNNING);
  });

  it('drops the waiting requests of a page that goes, and aborts the running ones', async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    for (let id = 1; id <= 12; id++) p.send({ id, channel: 'model:trace', payload: {} });
    await until(() => held.length === MAX_RUNNING);
    expect(held.every((h) => h.signal && !h.signal.aborted)).toBe(true);
    p.ws.close();
    expect(await until(() => held.every((h) => h.signal!.aborted))).toBe(true);
    for (const h of held.splice(0)) h.answer();
    await settle(200);
    expect(held).toHaveLength(0);
    expect(server.stats()).toMatchObject({ sockets: 0, waiting: 0 });
  });

  it('answers what it cannot take with the reason, and keeps the page', async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    p.send('{"id":3,"channel":"model:predict"'); // cut short
    p.send('[1,2]');
    p.send('{"id":-4,"channel":"model:predict"}');
    p.send('{"id":2.5,"channel":"model:predict"}');
    p.send('{"id":"5","channel":"model:predict"}');
    p.send(`{"id":${2 ** 53},"channel":"model:predict"}`);
    p.ws.send(Buffer.from('{"id":6,"channel":"model:predict","payload":{}}'), { binary: true });
    await until(() => p.replies.length === 7);
    const byError = p.replies.map((r) => [r.id, r.result.ok, r.result.error!.replace(/:.*$/s, ':')]);
    expect(p.replies.every((r) => r.result.ok === false)).toBe(true);
    expect(p.replies.map((r) => r.id)).toEqual([-1, -1, -1, -1, -1, -1, 6]);
    expect(p.replies[0].result.error).toMatch(/^bad message: /);
    expect(p.replies[1].result.error).toBe('bad message: a message must be a JSON object');
    for (const r of p.replies.slice(2, 6)) expect(r.result.error, JSON.stringify(byError)).toBe('bad message: "id" must be a non-negative integer');
    expect(p.replies[6].result.error).toBe('bad message: binary messages are not supported');
    expect(held).toHaveLength(0);
    // The page is still served.
    p.send({ id: 0, channel: 'app:status', payload: {} });
    await until(() => held.length === 1);
    held[0].answer('fine');
    await until(() => p.replies.length === 8);
    expect(p.replies[7]).toEqual({ id: 0, result: { ok: true, value: 'fine' } });
  });

  it('answers a request whose dispatch fails with an internal error under its id', async () => {
    const server = await startWebServer({ root: site(), dispatch: () => Promise.reject(new Error('boom')) });
    servers.push(server);
    const p = await page(server);
    p.send({ id: 41, channel: 'model:predict', payload: {} });
    p.send({ id: 42, channel: 'models:export', payload: {} });
    await until(() => p.replies.length === 2);
    const byId = Object.fromEntries(p.replies.map((r) => [r.id, r.result]));
    expect(byId[41]).toEqual({ ok: false, error: 'internal error: the request could not be answered' });
    expect(byId[42]).toEqual({ ok: false, error: 'internal error: the request could not be answered' });
  });

  it(`refuses a message that opens more than ${MAX_CONTAINERS} arrays and objects, and takes one that opens exactly ${MAX_CONTAINERS}`, async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    const nested = (n: number) => `{"id":5,"channel":"model:predict","payload":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    p.send(nested(MAX_CONTAINERS + 1));
    await until(() => p.replies.length === 1);
    expect(p.replies[0]).toEqual({
      id: 5,
      result: { ok: false, error: `bad message: it opens more than ${MAX_CONTAINERS} arrays and objects; no request needs so many` },
    });
    p.send(nested(MAX_CONTAINERS));
    expect(await until(() => held.length === 1)).toBe(true);
  });

  it(`closes the page’s socket on a message over ${MAX_REQUEST_BYTES / 1024} KB, and takes one just under it`, async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    const head = '{"id":1,"channel":"model:predict","payload":"';
    p.send(`${head}${'x'.repeat(MAX_REQUEST_BYTES - head.length - 2)}"}`);
    expect(await until(() => held.length === 1)).toBe(true);
    const closed = new Promise<number>((resolve) => p.ws.once('close', (code) => resolve(code)));
    p.send(`${head}${'x'.repeat(MAX_REQUEST_BYTES - head.length - 1)}"}`);
    expect(await closed).toBe(1009);
  });
});

describe('what all pages together may make the server do', () => {
  it.each([...HEAVY_CHANNELS].filter((c) => c !== 'models:upload'))(
    `runs %s one at a time across pages, with ${MAX_HEAVY_WAITING} waiting and more answered busy`,
    async (channel) => {
      const { server, held } = await heldServer();
      const pages = [await page(server), await page(server)];
      for (let i = 0; i < MAX_HEAVY_WAITING + 3; i++) pages[i % 2].send({ id: i, channel, payload: { i } });
      // A light request runs alongside.
      pages[1].send({ id: 100, channel: 'model:predict', payload: {} });
      await until(() => held.length === 2 && pages[0].replies.length + pages[1].replies.length === 2);
      await settle();
      expect(held.map((h) => h.channel).sort()).toEqual([channel, 'model:predict'].sort());
      // One running and MAX_HEAVY_WAITING waiting: the two that came last are busy.
      const busy = [...pages[0].replies, ...pages[1].replies];
      expect(busy).toHaveLength(2);
      for (const r of busy)
        expect(r.result).toEqual({
          ok: false,
          error: `${channel}: busy: ${MAX_HEAVY_WAITING} large requests are already waiting; try again when they finish`,
          code: 'busy',
          params: { channel, limit: MAX_HEAVY_WAITING },
        });
      // Each finishing lets the next one in, never two at once.
      for (let n = 0; n <= MAX_HEAVY_WAITING; n++) {
        const heavy = held.filter((h) => h.channel === channel);
        expect(heavy).toHaveLength(1);
        held.splice(held.indexOf(heavy[0]), 1);
        heavy[0].answer();
        if (n < MAX_HEAVY_WAITING) await until(() => held.some((h) => h.channel === channel));
      }
      await until(() => pages[0].replies.length + pages[1].replies.length === MAX_HEAVY_WAITING + 3);
      expect(held.filter((h) => h.channel === channel)).toHaveLength(0);
    },
  );

  it('makes an upload wait for the heavy request running on a page, and a page’s heavy request wait for an upload', async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    const up = await page(server, '/ws/upload');
    p.send({ id: 1, channel: 'models:export', payload: {} });
    await until(() => held.length === 1);
    up.send({ id: 2, channel: 'models:upload', payload: {} });
    await settle();
    expect(held.map((h) => h.channel)).toEqual(['models:export']);
    held.shift()!.answer();
    await until(() => held.length === 1);
    expect(held.map((h) => h.channel)).toEqual(['models:upload']);
    p.send({ id: 3, channel: 'samples:list', payload: {} });
    await settle();
    expect(held.map((h) => h.channel)).toEqual(['models:upload']);
    held.shift()!.answer();
    await until(() => held.length === 1);
    expect(held.map((h) => h.channel)).toEqual(['samples:list']);
  });

  it('lets a heavy request that waited leave the line when its page goes', async () => {
    const { server, held } = await heldServer();
    const a = await page(server);
    const b = await page(server);
    a.send({ id: 1, channel: 'models:export', payload: {} });
    await until(() => held.length === 1);
    b.send({ id: 2, channel: 'models:export', payload: {} });
    await settle();
    b.ws.close();
    await settle();
    held[0].answer();
    await until(() => a.replies.length === 1);
    await settle();
    expect(held).toHaveLength(1);
  });

  it(`opens at most ${MAX_SOCKETS} page sockets and one upload socket, and frees a place when one closes`, async () => {
    const { server } = await heldServer();
    const open = [];
    for (let i = 0; i < MAX_SOCKETS; i++) open.push(await page(server));
    expect(await upgradeStatus(server, '/ws')).toBe(503);
    const up = await page(server, '/ws/upload');
    expect(await upgradeStatus(server, '/ws/upload')).toBe(503);
    expect(server.stats().sockets).toBe(MAX_SOCKETS + 1);
    open[0].ws.close();
    await until(() => server.stats().sockets === MAX_SOCKETS);
    expect(await upgradeStatus(server, '/ws')).toBe(101);
    up.ws.close();
    await until(() => server.stats().sockets === MAX_SOCKETS);
    expect(await upgradeStatus(server, '/ws/upload')).toBe(101);
    expect(await upgradeStatus(server, '/ws/other')).toBe(400);
  });

  it('takes large messages on the upload socket, and only uploads there', async () => {
    const { server, held } = await heldServer();
    const up = await page(server, '/ws/upload');
    const big = 'x'.repeat(4 * MAX_REQUEST_BYTES);
    up.send({ id: 1, channel: 'models:upload', payload: big });
    up.send({ id: 2, channel: 'model:predict', payload: {} });
    await until(() => held.length === 1 && up.replies.length === 1);
    expect(held[0]).toMatchObject({ channel: 'models:upload', payload: big });
    expect(up.replies[0]).toEqual({ id: 2, result: { ok: false, error: 'bad message: /ws/upload does not take model:predict; it takes only models:upload' } });
    const p = await page(server);
    p.send({ id: 3, channel: 'models:upload', payload: {} });
    await until(() => p.replies.length === 1);
    expect(p.replies[0]).toEqual({ id: 3, result: { ok: false, error: 'bad message: /ws does not take models:upload; send uploads over /ws/upload' } });
  });

  it('pushes events to open pages, not to the upload socket', async () => {
    const { server } = await heldServer();
    const p = await page(server);
    const up = await page(server, '/ws/upload');
    server.broadcast('train:progress', { x: new Float32Array([1, 2]) });
    await until(() => p.replies.length === 1);
    await settle();
    expect(p.replies).toEqual([{ event: 'train:progress', payload: { x: new Float32Array([1, 2]) } }]);
    expect(up.replies).toEqual([]);
  });
});

describe('replies a page does not read', () => {
  it('stops reading from it past the high-water mark, and reads on once it has read its replies', async () => {
    const reply = 'y'.repeat(256 * 1024);
    const server = await startWebServer({ root: site(), dispatch: async () => ({ ok: true, value: reply }) });
    servers.push(server);
    const p = await page(server);
    (p.ws as unknown as { pause(): void }).pause();
    const send = (from: number, n: number) => {
      for (let id = from; id < from + n; id++) p.send({ id, channel: 'dataset:digits', payload: {} });
    };
    send(0, 60);
    let most = 0;
    let last = -1;
    let still = 0;
    for (let t = 0; t < 500 && still < 25; t++) {
      await settle(20);
      const { unread } = server.stats();
      most = Math.max(most, unread);
      still = unread === last ? still + 1 : 0;
      last = unread;
    }
    // It went past the mark, then held at most what the requests already running could add.
    expect(most).toBeGreaterThanOrEqual(HIGH_WATER_BYTES);
    expect(most).toBeLessThan(HIGH_WATER_BYTES + (MAX_RUNNING + 1) * (reply.length + 100));
    // It reads nothing more from this page: thousands more requests add no reply, not even "busy".
    const before = server.stats();
    send(60, 3000);
    await settle(500);
    expect(server.stats().unread).toBe(before.unread);
    expect(server.stats().waiting).toBe(before.waiting);
    (p.ws as unknown as { resume(): void }).resume();
    expect(await until(() => p.replies.length === 3060, 30_000)).toBe(true);
    expect(p.replies.filter((r) => r.id < 60 && !r.result.ok)).toEqual([]);
    expect(server.stats()).toMatchObject({ unread: 0, waiting: 0 });
  });

  it('makes a large reply only for a page that has read its earlier ones, and lets other pages take their turn', async () => {
    const reply = 'x'.repeat(3 * 1024 * 1024);
    let made = 0;
    const server = await startWebServer({
      root: site(),
      dispatch: async (channel) => {
        made++;
        return { ok: true, value: channel === 'models:export' ? reply : 'small' };
      },
    });
    servers.push(server);
    const p = await page(server);
    (p.ws as unknown as { pause(): void }).pause();
    for (let id = 0; id < 20; id++) p.send({ id, channel: 'models:export', payload: { id: 'v0001' } });
    let most = 0;
    for (let t = 0; t < 50; t++) {
      await settle(20);
      most = Math.max(most, server.stats().unread);
    }
    // Replies are made while the page is under the 4 MB mark (the system's socket buffers take a
    // few MB more first); past it, each running request waits for the page to read before its reply
    // is made, so the server holds at most one reply past the mark, not one per running request.
    expect(most).toBeGreaterThanOrEqual(HIGH_WATER_BYTES);
    expect(most).toBeLessThan(HIGH_WATER_BYTES + reply.length + 100);
    expect(made).toBeLessThan(MAX_RUNNING);
    // Another page's large request is not held up by the page that stopped reading.
    const other = await page(server);
    other.send({ id: 1, channel: 'samples:list', payload: {} });
    expect(await until(() => other.replies.length === 1, 2_000)).toBe(true);
    expect(other.replies[0].result).toEqual({ ok: true, value: 'small' });
    (p.ws as unknown as { resume(): void }).resume();
    expect(await until(() => p.replies.length === 20, 30_000)).toBe(true);
    expect(made).toBe(21);
    expect(server.stats().unread).toBe(0);
  });

  it('drops a page that is 96 MB behind', async () => {
    const { server, held } = await heldServer();
    const p = await page(server);
    (p.ws as unknown as { pause(): void }).pause();
    for (let id = 0; id < 3; id++) p.send({ id, channel: 'model:trace', payload: {} });
    await until(() => held.length === 3);
    // Three replies of 40 MB at once: the third takes the page past 96 MB unread, and the server lets it go.
    const reply = 'z'.repeat(40 * 1024 * 1024);
    for (const h of held) h.answer(reply);
    expect(await until(() => server.stats().sockets === 0)).toBe(true);
    expect(server.stats().unread).toBe(0);
  });

  it('skips events for a page behind on its replies', async () => {
    const reply = 'e'.repeat(1024 * 1024);
    const server = await startWebServer({ root: site(), dispatch: async () => ({ ok: true, value: reply }) });
    servers.push(server);
    const p = await page(server);
    (p.ws as unknown as { pause(): void }).pause();
    for (let id = 0; id < 12; id++) p.send({ id, channel: 'model:trace', payload: {} });
    await until(() => server.stats().unread >= HIGH_WATER_BYTES);
    server.broadcast('train:progress', { late: true });
    (p.ws as unknown as { resume(): void }).resume();
    await until(() => p.replies.length === 12);
    await settle();
    expect(p.replies.filter((r) => !('id' in r))).toEqual([]);
  });
});

describe('connections', () => {
  /** A raw connection; resolves when it is closed by the server. */
  function rawConnection(port: number): { socket: Socket; closed: Promise<number> } {
    const t0 = Date.now();
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    // Paused until a test reads from it: a socket that never reads never sees the server close it.
    return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - t0))) };
  }

  it('closes a connection that sends no headers within 5 s', async () => {
    const { server } = await heldServer();
    const idle = rawConnection(server.port);
    idle.socket.resume();
    const ms = await idle.closed;
    expect(ms).toBeGreaterThanOrEqual(4_000);
    expect(ms).toBeLessThan(9_000);
  }, 30_000);

  it('closes a connection that stops reading a response for 10 s, and keeps an idle WebSocket open', async () => {
    const root = site();
    writeFileSync(join(root, 'assets', 'big.js'), Buffer.alloc(64 * 1024 * 1024, 0x20));
    const { server } = await heldServer(root);
    const p = await page(server);
    const c = rawConnection(server.port);
    c.socket.pause();
    c.socket.write(`GET /assets/big.js HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    await until(() => server.stats().connections === 2);
    const t0 = Date.now();
    expect(await until(() => server.stats().connections === 1, 25_000)).toBe(true);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(8_000);
    expect(p.ws.readyState).toBe(WebSocket.OPEN);
    c.socket.destroy();
  }, 40_000);

  it('makes room past 64 connections by closing the oldest one doing nothing, and never a WebSocket', async () => {
    const { server } = await heldServer();
    const p = await page(server);
    const idle = Array.from({ length: 63 }, () => rawConnection(server.port));
    await until(() => server.stats().connections === 64);
    const extra = rawConnection(server.port);
    // The oldest idle connection, not the WebSocket that came before it, made room.
    await Promise.race([idle[0].closed, settle(3_000)]);
    await until(() => server.stats().connections === 64);
    expect(idle[0].socket.destroyed).toBe(true);
    expect(p.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.stats().connections).toBe(64);
    for (const c of [...idle, extra]) c.socket.destroy();
  });

  it('answers a malformed request with 400 and closes it', async () => {
    const { server } = await heldServer();
    const c = rawConnection(server.port);
    let got = '';
    c.socket.on('data', (d) => (got += d.toString('latin1')));
    c.socket.write('GARBAGE\r\n\r\n');
    await c.closed;
    expect(got).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n/);
  });

  it('serves HEAD without a body, refuses other methods, and says when the page is not built', async () => {
    const { server } = await heldServer();
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-content-type-options')).toBe('nosniff');
    expect(head.headers.get('cache-control')).toBe('no-store');
    expect(await head.text()).toBe('');
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(await post.text()).toBe('Only GET is supported.\n');
    expect(post.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${server.port}`);
    const asset = await fetch(`http://127.0.0.1:${server.port}/assets/app.js`);
    expect([asset.status, asset.headers.get('cross-origin-resource-policy'), asset.headers.get('cache-control')]).toEqual([200, 'same-origin', 'no-store']);
    expect((await fetch(`http://127.0.0.1:${server.port}/assets/sub/app.js`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/app.js`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/assets/..app.js`)).status).toBe(404);
    const empty = tempDir();
    const bare = await heldServer(empty);
    const missing = await fetch(bare.server.url);
    expect([missing.status, await missing.text()]).toEqual([503, 'The renderer is not built: run `npm run build`.\n']);
  });

  it('lets a WebSocket in from its own origin under either name, or with no origin', async () => {
    const { server } = await heldServer();
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`, undefined]) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, origin ? { origin } : {});
      ws.on('error', () => {});
      sockets.push(ws);
      expect(await new Promise((resolve) => ws.once('open', () => resolve('open')).once('unexpected-response', (_q, r) => resolve(r.statusCode))), origin).toBe(
        'open',
      );
      ws.close();
    }
    for (const origin of [`http://localhost:${server.port + 1}`, `https://127.0.0.1:${server.port}`, 'null']) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin });
      ws.on('error', () => {});
      sockets.push(ws);
      expect(await new Promise((resolve) => ws.once('open', () => resolve('open')).once('unexpected-response', (_q, r) => resolve(r.statusCode))), origin).toBe(
        403,
      );
    }
  });

  it('closes every page when it stops', async () => {
    const { server } = await heldServer();
    const p = await page(server);
    const closed = new Promise<void>((resolve) => p.ws.once('close', () => resolve()));
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await closed;
    expect(p.ws.readyState).toBe(WebSocket.CLOSED);
  });
});
