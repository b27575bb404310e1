/**
 * Web mode: the same renderer and the same contract, served on 127.0.0.1. Every
 * request is checked in this order, inside guards that answer instead of throwing:
 * a Host naming this server (DNS rebinding), a path that decodes, then the
 * per-run token (compared in constant time) for the page and the WebSocket, and a
 * same-server Origin for the WebSocket. Static assets go through sirv. Requests
 * in flight per connection and connections at once are capped.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../shared/contract';
import { contentSecurityPolicy } from '../../shared/csp';
import { decode, encode, type WireMessage } from '../../shared/wire';
import type { Dispatch } from '../services/dispatch';

/** Requests one page may have waiting for an answer; more get a "busy" error. The app keeps a handful in flight. */
export const MAX_IN_FLIGHT = 64;
/** WebSocket connections at once (tabs of the app). */
export const MAX_SOCKETS = 8;
/** TCP connections at once. */
export const MAX_CONNECTIONS = 64;

export interface WebServer {
  url: string;
  port: number;
  token: string;
  /** Push an event to every connected page. */
  broadcast(event: string, payload: unknown): void;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** Built renderer folder (index.html + assets/). */
  root: string;
  dispatch: Dispatch;
  port?: number;
  token?: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The request's path and query, or null when its target is not a URL path we can decode. */
export function parseTarget(raw: string | undefined): { path: string; query: URLSearchParams } | null {
  if (!raw || raw[0] !== '/' || raw.startsWith('//')) return null;
  try {
    const url = new URL(raw, 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    if (path.includes('\0') || path.includes('\\')) return null;
    return { path, query: url.searchParams };
  } catch {
    return null;
  }
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenDigest = digest(token);
  let port = 0;
  const hostOk = (req: IncomingMessage) => {
    // Exactly one Host header naming this server: Node keeps only the first of several, so refuse ambiguity.
    const hosts = req.rawHeaders.filter((_v, i) => i % 2 === 0 && req.rawHeaders[i].toLowerCase() === 'host');
    return hosts.length === 1 && (req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`);
  };
  const tokenOk = (query: URLSearchParams) => timingSafeEqual(digest(query.get('token') ?? ''), tokenDigest);
  const originOk = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  };
  const securityHeaders = () => ({
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
  });
  let index: Buffer | null = null;
  const page = () => (index ??= readFileSync(join(opts.root, 'index.html')));
  const assets = sirv(opts.root, {
    dev: false,
    etag: true,
    dotfiles: false,
    extensions: [],
    setHeaders: (res) => {
      for (const [k, v] of Object.entries(securityHeaders())) res.setHeader(k, v);
      res.setHeader('cache-control', 'no-store');
    },
  });

  const deny = (res: ServerResponse, code: number, text: string) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...securityHeaders() });
    res.end(`${text}\n`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostOk(req)) return deny(res, 421, 'RNN Lens answers only on 127.0.0.1 or localhost.');
    const target = parseTarget(req.url);
    if (!target) return deny(res, 400, 'Bad request path.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Only GET is supported.');
    // The page itself: only at / or /index.html, and only with the token.
    if (target.path === '/' || target.path === '/index.html') {
      if (!tokenOk(target.query)) return deny(res, 403, 'RNN Lens: open the address printed by `npm run web`; it includes ?token=…');
      let html: Buffer;
      try {
        html = page();
      } catch {
        return deny(res, 503, 'The renderer is not built: run `npm run build`.');
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders() });
      return void res.end(req.method === 'HEAD' ? undefined : html);
    }
    // Everything else the page needs is a built asset with a plain name.
    if (!/^\/assets\/[A-Za-z0-9._-]+$/.test(target.path) || target.path.includes('..')) return deny(res, 404, 'Not found.');
    assets(req, res, () => deny(res, 404, 'Not found.'));
  };

  const server: Server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
    try {
      handle(req, res);
    } catch {
      deny(res, 500, 'Internal error.');
    }
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.maxHeadersCount = 64;
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();

  const serveSocket = (ws: WebSocket) => {
    clients.add(ws);
    let inFlight = 0;
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
      const id = typeof msg.id === 'number' && Number.isSafeInteger(msg.id) && msg.id >= 0 ? msg.id : -1;
      if (id < 0) return reply({ id: -1, result: { ok: false, error: 'bad message: "id" must be a non-negative integer' } });
      if (inFlight >= MAX_IN_FLIGHT) {
        const channel = typeof msg.channel === 'string' ? msg.channel.slice(0, 40) : 'request';
        const error = `${channel}: busy: ${MAX_IN_FLIGHT} requests are already waiting; try again when they finish`;
        return reply({ id, result: { ok: false, error, code: 'busy', params: { channel, limit: MAX_IN_FLIGHT } } });
      }
      inFlight++;
      try {
        reply({ id, result: await opts.dispatch(msg.channel, msg.payload) });
      } finally {
        inFlight--;
      }
    });
  };

  server.on('upgrade', (req, socket: Socket, head) => {
    // A reset during the handshake must not become an unhandled error.
    socket.on('error', () => socket.destroy());
    const refuse = (code: number, why: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
      else socket.destroy();
    };
    try {
      if (!hostOk(req)) return refuse(421, 'Misdirected Request');
      const target = parseTarget(req.url);
      if (!target || target.path !== '/ws') return refuse(400, 'Bad Request');
      if (!originOk(req)) return refuse(403, 'Forbidden origin');
      if (!tokenOk(target.query)) return refuse(401, 'Missing or wrong token');
      if (clients.size >= MAX_SOCKETS) return refuse(503, 'Too many connections');
      wss.handleUpgrade(req, socket, head, serveSocket);
    } catch {
      socket.destroy();
    }
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
