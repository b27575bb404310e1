/**
 * Hostile and malformed HTTP over raw sockets, with and without the token. The
 * server must answer each with a 4xx or close it, never crash, never serve the
 * page without the token, and afterwards still serve the page and predictions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mulberry32 } from '../../../src/node/engine/data/random';
import { createDispatch } from '../../../src/node/services/dispatch';
import { startWebServer, type WebServer } from '../../../src/node/web/server';
import { decode, encode } from '../../../src/shared/wire';
import { tempDir } from '../../helpers';
import { makeServices } from '../fixtures';

const PAGE = '<!doctype html><title>RNN Lens page</title>';
let server: WebServer;

beforeAll(async () => {
  const root = tempDir();
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  const { services } = await makeServices();
  server = await startWebServer({ root, dispatch: createDispatch(services) });
});
afterAll(() => server.close());

interface Case {
  kind: string;
  bytes: (string | Buffer)[];
  /** Milliseconds between chunks (slow senders). */
  gapMs?: number;
  /** Reset the connection right after sending. */
  reset?: boolean;
}

/** Send raw bytes; resolve with the status code of the answer, 'closed' when none came, or 'timeout'. */
function raw(c: Case): Promise<number | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    let got = '';
    let done = false;
    const end = (v: number | 'closed' | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => end('timeout'), 15_000);
    s.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      if (m) end(Number(m[1]));
    });
    s.on('error', () => end('closed'));
    s.on('close', () => end('closed'));
    s.on('connect', async () => {
      for (const chunk of c.bytes) {
        if (s.destroyed) return;
        s.write(chunk);
        if (c.gapMs) await new Promise((r) => setTimeout(r, c.gapMs));
      }
      if (c.reset) s.resetAndDestroy();
    });
  });
}

function cases(token: string, port: number): Case[] {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\n${host}${extra}Connection: close\r\n\r\n`;
  const rand = mulberry32(7);
  const out: Case[] = [];
  const withAndWithout = (kind: string, path: string) => {
    out.push({ kind, bytes: [get(path)] });
    out.push({ kind, bytes: [get(`${path}${path.includes('?') ? '&' : '?'}token=${token}`)] });
  };
  for (const p of [
    '/%E0',
    '/%',
    '/%zz',
    '/%C0%AF',
    '/assets/%ff.js',
    '/%ED%A0%80',
    '/a%',
    '/%%',
    '/%u0041',
    '/%00',
    '/assets/app.js%00',
    '/%5c..%5cpackage.json',
  ])
    withAndWithout('bad encoding', p);
  for (const p of [
    '/%2Findex.html',
    '//index.html',
    '/index.html/',
    '/./index.html',
    '/assets/../index.html',
    '/INDEX.HTML',
    '/index.html%00',
    '/%2e/index.html',
    '/assets/..%2findex.html',
    '/index.htm',
    '/?',
    '/#',
  ])
    out.push({ kind: 'page without token', bytes: [get(p)] });
  for (const p of [
    '/../package.json',
    '/assets/../../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/',
    '/assets',
    '/assets/.hidden',
    '/etc/passwd',
    '/assets/app.js/..',
    '/node_modules/ws/package.json',
  ])
    withAndWithout('traversal', p);
  for (const line of [
    'GET //[ HTTP/1.1',
    'GET * HTTP/1.1',
    'GET http://evil.example/ HTTP/1.1',
    'GARBAGE',
    'GET / HTTP/9.9',
    'GET /\x00 HTTP/1.1',
    'get / HTTP/1.1',
    'GET  / HTTP/1.1',
    'GET / HTTP/1.1 extra',
    'GET',
    ' / HTTP/1.1',
    'GET /?token=\xff HTTP/1.1',
  ])
    out.push({ kind: 'odd request line', bytes: [`${line}\r\n${host}\r\n`] });
  for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'PROPFIND'])
    out.push({ kind: 'method', bytes: [`${m} /?token=${token} HTTP/1.1\r\n${host}Content-Length: 3\r\nConnection: close\r\n\r\nabc`] });
  out.push({ kind: 'huge header', bytes: [get('/', `X-Big: ${'a'.repeat(40_000)}\r\n`)] });
  out.push({ kind: 'huge header', bytes: [get('/', Array.from({ length: 300 }, (_, i) => `X-${i}: ${i}\r\n`).join(''))] });
  out.push({ kind: 'huge url', bytes: [get(`/${'a'.repeat(100_000)}`)] });
  out.push({ kind: 'missing host', bytes: [`GET /?token=${token} HTTP/1.1\r\nConnection: close\r\n\r\n`] });
  out.push({ kind: 'foreign host', bytes: [`GET /?token=${token} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`] });
  out.push({ kind: 'foreign host', bytes: [`GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`] });
  const upgrade = (path: string, origin: string, extra = '') =>
    `GET ${path} HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: ${origin}\r\n${extra}\r\n`;
  for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${port + 1}`, 'http://localhost']) {
    for (const path of ['/ws', `/ws?token=${token}`, '/ws?token=x', '/%E0', '//[', `/other?token=${token}`]) {
      out.push({ kind: 'upgrade refused', bytes: [upgrade(path, origin)] });
      out.push({ kind: 'upgrade reset', bytes: [upgrade(path, origin)], reset: true });
    }
  }
  out.push({
    kind: 'upgrade refused',
    bytes: [upgrade(`/ws?token=${token}`, `http://127.0.0.1:${port}`, 'Sec-WebSocket-Version: 99\r\n').replace('Sec-WebSocket-Version: 13\r\n', '')],
  });
  for (let i = 0; i < 6; i++) out.push({ kind: 'slow sender', bytes: get(`/%E0${i}`).split(''), gapMs: 2 });
  // Random junk to make up the rest: mutated request lines, random bytes, truncated requests.
  const pieces = [
    'GET',
    'HEAD',
    '/',
    '/ws',
    '?token=',
    token,
    '%',
    '%E0',
    '..',
    '//',
    '[',
    ']',
    '\x00',
    ' ',
    'HTTP/1.1',
    '\r\n',
    host,
    'Upgrade: websocket\r\n',
    'Origin: https://evil.example\r\n',
  ];
  while (out.length < 2100) {
    const r = rand();
    if (r < 0.3) {
      const n = 1 + Math.floor(rand() * 64);
      out.push({ kind: 'random bytes', bytes: [Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)))], reset: rand() < 0.3 });
    } else if (r < 0.7) {
      const parts = Array.from({ length: 3 + Math.floor(rand() * 8) }, () => pieces[Math.floor(rand() * pieces.length)]);
      out.push({ kind: 'random request', bytes: [`${parts.join('')}\r\n\r\n`], reset: rand() < 0.2 });
    } else {
      const paths = ['/%E0', '/%2Findex.html', '/assets/%2e%2e/x', '//x', '/index.html/'];
      const req = get(paths[Math.floor(rand() * paths.length)]);
      out.push({ kind: 'truncated', bytes: [req.slice(0, Math.floor(rand() * req.length))], reset: true });
    }
  }
  return out;
}

describe('web server under hostile requests', () => {
  it('answers 2,000+ malformed and hostile requests with a 4xx or a close, then still serves', async () => {
    const all = cases(server.token, server.port);
    expect(all.length).toBeGreaterThanOrEqual(2000);
    const byKind = new Map<string, Map<string, number>>();
    const bad: string[] = [];
    for (let i = 0; i < all.length; i += 32) {
      const batch = all.slice(i, i + 32);
      const answers = await Promise.all(batch.map(raw));
      answers.forEach((a, k) => {
        const c = batch[k];
        const label = typeof a === 'number' ? `${Math.floor(a / 100)}xx` : a;
        const m = byKind.get(c.kind) ?? new Map<string, number>();
        byKind.set(c.kind, m);
        m.set(label, (m.get(label) ?? 0) + 1);
        const ok = (typeof a === 'number' && a >= 400 && a < 500) || a === 'closed';
        if (!ok) bad.push(`${c.kind}: ${JSON.stringify(String(c.bytes[0]).slice(0, 80))} → ${a}`);
      });
    }
    console.log(`fuzzed ${all.length} requests:\n` + [...byKind].map(([k, m]) => `  ${k}: ${[...m].map(([l, n]) => `${n}× ${l}`).join(', ')}`).join('\n'));
    expect(bad).toEqual([]);

    // Still serving: the page with the token, an asset, and a prediction over the WebSocket.
    const page = await fetch(`${server.url}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(PAGE);
    expect((await fetch(`http://127.0.0.1:${server.port}/assets/app.js`)).status).toBe(200);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<{ result: { ok: boolean; value: { probs: number[] } } }>((r) => ws.once('message', (d) => r(decode(d.toString()) as never)));
    ws.send(encode({ id: 1, channel: 'model:predict', payload: { pixels: new Array(784).fill(0) } }));
    const r = await reply;
    expect(r.result.ok).toBe(true);
    expect(r.result.value.probs).toHaveLength(10);
    ws.close();
  });

  it('never serves the page without the token, however the path is written', async () => {
    for (const p of ['/', '/index.html', '/%2Findex.html', '//index.html', '/index.html/', '/./index.html', '/assets/../index.html', '/%69ndex.html']) {
      const r = await fetch(`http://127.0.0.1:${server.port}${p}`, { redirect: 'manual' });
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(await r.text(), p).not.toContain('RNN Lens page');
    }
  });

  it('caps requests in flight on one WebSocket with a clear, coded busy error', async () => {
    // A dispatcher that holds every request until released, so requests pile up as they would behind slow work.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const root = tempDir();
    writeFileSync(join(root, 'index.html'), PAGE);
    const slow = await startWebServer({ root, dispatch: async (channel) => (await held, { ok: true, value: channel }) });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${slow.port}/ws?token=${slow.token}`);
      await new Promise((r) => ws.once('open', r));
      const replies: { id: number; result: { ok: boolean; error?: string; code?: string; params?: unknown } }[] = [];
      ws.on('message', (d) => replies.push(decode(d.toString()) as never));
      for (let id = 1; id <= 70; id++) ws.send(encode({ id, channel: 'model:trace', payload: {} }));
      const wait = async (n: number) => {
        const t0 = Date.now();
        while (replies.length < n && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
      };
      await wait(6);
      expect(replies).toHaveLength(6);
      for (const r of replies) {
        expect(r.result).toEqual({
          ok: false,
          error: 'model:trace: busy: 64 requests are already waiting; try again when they finish',
          code: 'busy',
          params: { channel: 'model:trace', limit: 64 },
        });
      }
      release();
      await wait(70);
      expect(replies.filter((r) => r.result.ok)).toHaveLength(64);
      ws.close();
    } finally {
      await slow.close();
    }
  });
});
