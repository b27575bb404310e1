/**
 * What web mode answers, to the byte a client sees: each refusal's status line and words, the
 * headers every answer carries, which files the asset route serves and how, the words of each
 * bad message, the heavy channels, and where the server listens.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Dispatch } from '../../../src/node/services/dispatch';
import { HEAVY_CHANNELS, HIGH_WATER_BYTES, LOW_WATER_BYTES, MAX_UNREAD_BYTES, startWebServer, type WebServer } from '../../../src/node/web/server';
import { decode, encode } from '../../../src/shared/wire';
import { tempDir } from '../../helpers';

const PAGE = '<!doctype html><title>answers</title>';
const servers: WebServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const s of servers.splice(0)) await s.close();
});

function site(): string {
  const root = tempDir();
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', '.env'), 'SECRET=1');
  writeFileSync(join(root, 'notes.txt'), 'not an asset');
  return root;
}

async function serve(dispatch: Dispatch = async (channel) => ({ ok: true, value: channel }), opts: { root?: string; port?: number } = {}) {
  const root = opts.root ?? site();
  const server = await startWebServer({ root, dispatch, port: opts.port });
  servers.push(server);
  return { server, root };
}

/** One raw HTTP exchange: what the server wrote, whole, once it closed the connection. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d) => (got += d.toString('latin1')));
    c.on('error', () => {});
    c.on('close', () => resolve(got));
    c.write(text);
  });
}

const parse = (answer: string) => {
  const [head, ...rest] = answer.split('\r\n\r\n');
  const [status, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status, headers, body: rest.join('\r\n\r\n') };
};

const getRaw = (server: WebServer, path: string, extra = '', host = `127.0.0.1:${server.port}`) =>
  raw(server.port, `GET ${path} HTTP/1.0\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`).then(parse);

const upgradeRaw = (server: WebServer, path: string, extra = '', host = `127.0.0.1:${server.port}`) =>
  raw(
    server.port,
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
  );

describe('what each answer says', () => {
  it('refuses each bad request with its own status and words, in plain text, and closes the connection', async () => {
    const { server } = await serve();
    const denied = [
      [await getRaw(server, '/', '', 'evil.example'), 'HTTP/1.1 421 Misdirected Request', 'RNN Lens answers only on 127.0.0.1 or localhost.'],
      [await getRaw(server, '/%', ''), 'HTTP/1.1 400 Bad Request', 'Bad request path.'],
      [await getRaw(server, '/'), 'HTTP/1.1 403 Forbidden', 'RNN Lens: open the address printed by `npm run web`; it includes ?token=…'],
      [await getRaw(server, '/index.html?token=wrong'), 'HTTP/1.1 403 Forbidden', 'RNN Lens: open the address printed by `npm run web`; it includes ?token=…'],
      [await getRaw(server, '/elsewhere'), 'HTTP/1.1 404 Not Found', 'Not found.'],
      [await getRaw(server, '/assets/missing.js'), 'HTTP/1.1 404 Not Found', 'Not found.'],
    ] as const;
    for (const [answer, status, words] of denied) {
      expect(answer.status).toBe(status);
      expect(Buffer.from(answer.body, 'latin1').toString('utf8')).toBe(`${words}\n`);
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(answer.headers.connection).toBe('close');
    }
  });

  it('counts Host headers, not header values that read "host": two Hosts are refused, a value "Host" is not', async () => {
    const { server } = await serve();
    const two = await getRaw(server, `/?token=${server.token}`, 'Host: evil.example\r\n');
    expect(two.status).toBe('HTTP/1.1 421 Misdirected Request');
    const value = await getRaw(server, `/?token=${server.token}`, 'X-Note: Host\r\n');
    expect([value.status, value.body]).toEqual(['HTTP/1.1 200 OK', PAGE]);
  });

  it('serves the page at / and /index.html with the token, as HTML, with every security header', async () => {
    const { server } = await serve();
    for (const path of [`/?token=${server.token}`, `/index.html?token=${server.token}`]) {
      const r = await getRaw(server, path);
      expect([r.status, r.body]).toEqual(['HTTP/1.1 200 OK', PAGE]);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(r.headers['content-security-policy']).toContain(`ws://127.0.0.1:${server.port} ws://localhost:${server.port}`);
    }
    const refusal = await getRaw(server, '/elsewhere');
    expect(refusal.headers['referrer-policy']).toBe('no-referrer');
    expect(refusal.headers['cross-origin-opener-policy']).toBe('same-origin');
  });
});

describe('the asset route', () => {
  it('serves only plain names under /assets/, never a dotfile or a file elsewhere in the folder', async () => {
    const { server } = await serve();
    expect((await getRaw(server, '/assets/app.js')).body).toBe('console.log(1)');
    for (const path of ['/notes.txt', '/x/assets/app.js', '/assets/.env', '/assets/app']) {
      const r = await getRaw(server, path);
      expect([path, r.status, r.body]).toEqual([path, 'HTTP/1.1 404 Not Found', 'Not found.\n']);
    }
  });

  it('serves the files that were there when it started, with an ETag a browser can revalidate', async () => {
    const { server, root } = await serve();
    writeFileSync(join(root, 'assets', 'later.js'), 'console.log(2)');
    expect((await getRaw(server, '/assets/later.js')).status).toBe('HTTP/1.1 404 Not Found');
    const first = await getRaw(server, '/assets/app.js');
    expect(first.headers.etag).toMatch(/^(W\/)?".+"$/);
    const again = await getRaw(server, '/assets/app.js', `If-None-Match: ${first.headers.etag}\r\n`);
    expect([again.status, again.body]).toEqual(['HTTP/1.1 304 Not Modified', '']);
  });
});

describe('refused WebSocket upgrades', () => {
  it('answer each refusal with its status line and reason, and close', async () => {
    const { server } = await serve();
    const cases: [string, string, string, string][] = [
      ['/ws?token=' + server.token, '', 'evil.example', 'HTTP/1.1 421 Misdirected Request'],
      ['/nowhere?token=' + server.token, '', `127.0.0.1:${server.port}`, 'HTTP/1.1 400 Bad Request'],
      ['/ws?token=' + server.token, 'Origin: http://evil.example\r\n', `127.0.0.1:${server.port}`, 'HTTP/1.1 403 Forbidden origin'],
      ['/ws?token=wrong', '', `127.0.0.1:${server.port}`, 'HTTP/1.1 401 Missing or wrong token'],
    ];
    for (const [path, extra, host, status] of cases) {
      const answer = parse(await upgradeRaw(server, path, extra, host));
      expect(answer.status).toBe(status);
      expect(answer.body).toBe(`${status.slice('HTTP/1.1 xxx '.length)}\n`);
    }
    // The upload socket takes one page at a time.
    const first = new WebSocket(`ws://127.0.0.1:${server.port}/ws/upload?token=${server.token}`);
    sockets.push(first);
    await new Promise((resolve) => first.once('open', resolve));
    const full = parse(await upgradeRaw(server, `/ws/upload?token=${server.token}`));
    expect([full.status, full.body]).toEqual(['HTTP/1.1 503 Too many connections', 'Too many connections\n']);
  });
});

describe('bad messages', () => {
  async function page(server: WebServer, path = '/ws') {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}?token=${server.token}`);
    sockets.push(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: { id: number; result: { ok: boolean; error?: string } }[] = [];
    ws.on('message', (d) => replies.push(decode(d.toString()) as (typeof replies)[number]));
    return { ws, replies };
  }
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('names what is wrong with a message that is JSON but not a request', async () => {
    const { server } = await serve();
    const p = await page(server);
    for (const text of ['null', '5', '"model:predict"', 'true']) p.ws.send(text);
    p.ws.send(encode({ id: -3, channel: 'models:list' }));
    p.ws.send(encode({ id: 1.5, channel: 'models:list' }));
    p.ws.send(Buffer.from([0x00, 0xff, 0x10]), { binary: true });
    await until(() => p.replies.length === 7);
    const errors = p.replies.map((r) => [r.id, r.result.error]);
    expect(errors.slice(0, 4)).toEqual(Array(4).fill([-1, 'bad message: a message must be a JSON object']));
    expect(errors.slice(4, 6)).toEqual(Array(2).fill([-1, 'bad message: "id" must be a non-negative integer']));
    expect(errors[6]).toEqual([-1, 'bad message: binary messages are not supported']);
  });

  it('quotes at most 40 characters of a channel the socket does not take', async () => {
    const { server } = await serve();
    const p = await page(server, '/ws/upload');
    p.ws.send(encode({ id: 4, channel: `models:${'x'.repeat(5000)}` }));
    await until(() => p.replies.length === 1);
    expect(p.replies[0].result.error).toBe(`bad message: /ws/upload does not take models:${'x'.repeat(33)}; it takes only models:upload`);
  });
});

describe('the heavy channels', () => {
  it('are the four whose work or reply is large, each given the page’s signal', async () => {
    expect([...HEAVY_CHANNELS].sort()).toEqual(['dataset:digits', 'models:export', 'models:upload', 'samples:list']);
    const signals: (AbortSignal | undefined)[] = [];
    const { server } = await serve(async (channel, _payload, ctx) => {
      signals.push(ctx?.signal);
      return { ok: true, value: channel };
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    sockets.push(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    const got: unknown[] = [];
    ws.on('message', (d) => got.push(decode(d.toString())));
    ws.send(encode({ id: 1, channel: 'dataset:digits', payload: {} }));
    ws.send(encode({ id: 2, channel: 'models:list', payload: {} }));
    for (let i = 0; i < 500 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(signals).toHaveLength(2);
    for (const s of signals) expect(s).toBeInstanceOf(AbortSignal);
  });

  it('hold replies unread at the marks the design gives: stop reading at 4 MB, read again under 1 MB, drop at 96 MB', () => {
    expect([HIGH_WATER_BYTES, LOW_WATER_BYTES, MAX_UNREAD_BYTES]).toEqual([4 * 1024 * 1024, 1024 * 1024, 96 * 1024 * 1024]);
  });
});

describe('where it listens', () => {
  it('on the port asked for, on 127.0.0.1 only', async () => {
    const probe = await serve();
    const port = probe.server.port;
    await probe.server.close();
    servers.splice(0);
    const { server } = await serve(undefined, { port });
    expect(server.port).toBe(port);
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${server.token}`);
    const v6 = await new Promise<string>((resolve) => {
      const c = connect(port, '::1');
      c.on('connect', () => (c.destroy(), resolve('connected')));
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(v6).not.toBe('connected');
  });
});

describe('connections the server makes room among', () => {
  /** A raw connection, paused: it reads nothing until the test says. */
  function conn(port: number) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { socket, closed };
  }
  const until = async (cond: () => boolean, ms = 5_000) => {
    const t0 = Date.now();
    while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 10));
    return cond();
  };

  it('passes over a connection whose response is under way, and takes one whose response has finished', async () => {
    const root = site();
    writeFileSync(join(root, 'assets', 'big.js'), Buffer.alloc(32 * 1024 * 1024, 0x20));
    const { server } = await serve(undefined, { root });
    // The oldest connection is sent a large file it does not read: its response stays under way.
    const busy = conn(server.port);
    busy.socket.write(`GET /assets/big.js HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    // The next has had its whole answer and stays open (keep-alive): it is doing nothing.
    const done = conn(server.port);
    let got = '';
    done.socket.on('data', (d) => (got += d.toString('latin1')));
    done.socket.resume();
    done.socket.write(`GET /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    expect(await until(() => got.endsWith('console.log(1)'))).toBe(true);
    const idle = Array.from({ length: 62 }, () => conn(server.port));
    expect(await until(() => server.stats().connections === 64)).toBe(true);
    const extra = conn(server.port);
    await Promise.race([done.closed, new Promise((r) => setTimeout(r, 3_000))]);
    expect(done.socket.destroyed).toBe(true);
    expect(busy.socket.destroyed).toBe(false);
    expect(idle[0].socket.destroyed).toBe(false);
    for (const c of [busy, ...idle, extra]) c.socket.destroy();
  });

  it('answers an internal error under id −1 when the message’s head cannot be read', async () => {
    const { server } = await serve(() => Promise.reject(new Error('boom')));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    sockets.push(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    const got: unknown[] = [];
    ws.on('message', (d) => got.push(decode(d.toString())));
    ws.send('{"channel":"models:list","id":5}'); // valid, but not in the order the app writes
    expect(await until(() => got.length === 1)).toBe(true);
    expect(got[0]).toEqual({ id: -1, result: { ok: false, error: 'internal error: the request could not be answered' } });
  });

  it('refuses to start on a port already taken, with the reason', async () => {
    const { server } = await serve();
    await expect(startWebServer({ root: site(), dispatch: async () => ({ ok: true, value: null }), port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('answers a request whose headers are too large with 431, and a malformed one with 400', async () => {
    const { server } = await serve();
    const big = await raw(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(await raw(server.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
