import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebServer, type WebServer } from '../../../src/node/web/server';
import { decode, encode } from '../../../src/shared/wire';
import { tempDir } from '../../helpers';

let server: WebServer;
beforeAll(async () => {
  const root = tempDir();
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>RNN Lens</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tempDir(), 'secret.txt'), 'secret');
  server = await startWebServer({ root, dispatch: async (channel) => ({ ok: true, value: channel }) });
});
afterAll(() => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Try a WebSocket upgrade; resolve with the HTTP status of a refusal, or 101 when it opens. */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => resolve(-1));
  });
}

describe('web mode server', () => {
  it('prints a 127.0.0.1 URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('serves the page only with the token, with a CSP', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    const ok = await get(`/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('RNN Lens');
    expect(String(ok.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get('/assets/app.js')).status).toBe(200);
  });

  it('refuses path traversal, other methods and a foreign Host', async () => {
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get(`/?token=${server.token}`, { host: 'evil.example:80' })).status).toBe(421);
  });

  it('refuses a Host that only looks like this server, for the page and for the WebSocket', async () => {
    const port = server.port;
    const other = port === 65535 ? port - 1 : port + 1;
    const lookalikes = [
      '127.0.0.1.evil.example',
      `127.0.0.1.evil.example:${port}`,
      'localhost.evil',
      `localhost.evil:${port}`,
      `127.0.0.1:${other}`,
      `localhost:${other}`,
      '127.0.0.1',
      'localhost',
      `127.0.0.1:${port}0`,
      `127.0.0.1:${port}.evil.example`,
      `evil.127.0.0.1:${port}`,
      `evil.localhost:${port}`,
      `[::1]:${port}`,
    ];
    for (const host of lookalikes) {
      expect((await get(`/?token=${server.token}`, { host })).status, host).toBe(421);
      expect(await upgrade(`/ws?token=${server.token}`, { host, origin: `http://127.0.0.1:${port}` }), host).toBe(421);
    }
    // The two names of this server, with its port, are let in.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await get(`/?token=${server.token}`, { host })).status, host).toBe(200);
      expect(await upgrade(`/ws?token=${server.token}`, { host, origin: `http://${host}` }), host).toBe(101);
    }
  });

  it('refuses a WebSocket with a missing or wrong token, or a foreign Origin', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await upgrade('/ws')).toBe(401);
    expect(await upgrade('/ws?token=nope')).toBe(401);
    expect(await upgrade(`/ws?token=${server.token}`, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(`/ws?token=${server.token}`, { origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await upgrade(`/ws?token=${server.token}`, { origin })).toBe(101);
  });

  it('answers requests and pushes events to connected pages', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    const got: unknown[] = [];
    ws.on('message', (d) => got.push(decode(d.toString())));
    await new Promise((r) => ws.once('open', r));
    ws.send(encode({ id: 7, channel: 'app:status', payload: {} }));
    server.broadcast('train:progress', { h: new Float32Array([1.5, -2]) });
    const t0 = Date.now();
    while (got.length < 2 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(got).toContainEqual({ id: 7, result: { ok: true, value: 'app:status' } });
    expect(got).toContainEqual({ event: 'train:progress', payload: { h: new Float32Array([1.5, -2]) } });
    ws.close();
  });
});
