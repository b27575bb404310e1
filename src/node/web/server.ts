/**
 * Web mode: the same renderer and the same contract, served on 127.0.0.1. The
 * page and the WebSocket require a random per-run token, the WebSocket refuses
 * a foreign Origin, and the Host header must name this server (DNS rebinding).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../shared/contract';
import { decode, encode, type WireMessage } from '../../shared/wire';
import type { Dispatch } from '../services/dispatch';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface WebServer {
  url: string;
  port: number;
  token: string;
  /** Push an event to every connected page. */
  broadcast(event: string, payload: unknown): void;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** Built renderer folder (index.html + assets). */
  root: string;
  dispatch: Dispatch;
  port?: number;
  token?: string;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const hostOk = (req: IncomingMessage) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  const tokenOk = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams.get('token') === token;
  const originOk = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  };

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const deny = (code: number, text: string) => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (!hostOk(req)) return deny(421, 'RNN Lens answers only on 127.0.0.1 or localhost.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(405, 'Only GET is supported.');
    if (path === '/' || path === '/index.html') {
      if (!tokenOk(req)) return deny(403, 'RNN Lens: open the address printed by `npm run web`; it includes ?token=…');
    }
    const rel = path === '/' ? 'index.html' : path.slice(1);
    const file = normalize(join(opts.root, rel));
    if (!file.startsWith(normalize(opts.root) + sep) || !existsSync(file) || !statSync(file).isFile()) return deny(404, 'Not found.');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const refuse = (code: number, why: string) => {
      socket.end(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
    };
    if (!hostOk(req)) return refuse(421, 'Misdirected Request');
    if (!originOk(req)) return refuse(403, 'Forbidden origin');
    if (!tokenOk(req)) return refuse(401, 'Missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      ws.on('message', async (data, isBinary) => {
        const reply = (m: WireMessage) => ws.readyState === ws.OPEN && ws.send(encode(m));
        let msg: { id?: unknown; channel?: unknown; payload?: unknown };
        try {
          if (isBinary) throw new Error('binary messages are not supported');
          msg = decode(data.toString()) as typeof msg;
          if (!msg || typeof msg !== 'object') throw new Error('a message must be a JSON object');
        } catch (err) {
          return reply({ id: -1, result: { ok: false, error: `bad message: ${(err as Error).message}` } });
        }
        const id = typeof msg.id === 'number' && Number.isSafeInteger(msg.id) ? msg.id : -1;
        if (id < 0) return reply({ id: -1, result: { ok: false, error: 'bad message: "id" must be a non-negative integer' } });
        reply({ id, result: await opts.dispatch(msg.channel, msg.payload) });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const text = encode({ event, payload });
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
