/**
 * Web mode: the same renderer and the same contract, served on 127.0.0.1. Every
 * request is checked in this order, inside guards that answer instead of throwing:
 * a Host naming this server (DNS rebinding), a path that decodes, then the
 * per-run token (compared in constant time) for the page and the WebSocket, and a
 * same-server Origin for the WebSocket. Static assets go through sirv.
 *
 * What a client can make the server hold is bounded: connections (idle ones time out,
 * refusals are closed at once, and a new connection evicts the oldest one that is
 * doing nothing), messages (64 KB on the page's socket; uploads, up to a large model's
 * files, one at a time on a socket of their own; and a count of nested values checked
 * before parsing), requests waiting per page, work on the heavy channels across all
 * pages, and replies a page has not read (it is not read from until it reads them, and a
 * large reply is made only for a page under its mark).
 * A page's queued work is dropped when it goes.
 */
import { errorMessage } from '../../shared/errors';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_CONTAINERS, MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES, type Failure } from '../../shared/contract';
import { contentSecurityPolicy } from '../../shared/csp';
import { SOCKET_PATH, UPLOAD_SOCKET_PATH } from '../../shared/channels';
import { decode, encode, type WireMessage } from '../../shared/wire';
import type { Dispatch } from '../services/dispatch';
import { Gate } from './gate';

/** Requests one page may have waiting for an answer; more get a "busy" error. The app keeps a handful in flight. */
export const MAX_IN_FLIGHT = 64;
/** Of those, how many run at once; the rest start as these finish. */
export const MAX_RUNNING = 8;
/** WebSocket connections at once (tabs of the app). */
export const MAX_SOCKETS = 8;
/** TCP connections at once; past this a new one evicts the oldest idle one. */
export const MAX_CONNECTIONS = 64;
/** A connection that is not a WebSocket and sends nothing for this long is closed. */
export const IDLE_MS = 10_000;
/** Replies a page may leave unread before the server stops reading its requests. */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Reading resumes once the unread replies fall below this. */
export const LOW_WATER_BYTES = 1024 * 1024;
/** A page this far behind (more than the running requests' largest replies could add) is dropped. */
export const MAX_UNREAD_BYTES = 96 * 1024 * 1024;
/** Channels whose work or reply is large: one runs at a time across all pages, a few wait, more are busy. */
export const HEAVY_CHANNELS: ReadonlySet<string> = new Set(['models:export', 'models:upload', 'dataset:digits', 'samples:list']);
export const MAX_HEAVY_WAITING = 8;

/** What answering a request needs of the page that sent it. */
interface Page {
  /** Aborts when the page goes. */
  signal: AbortSignal;
  /** True while the page has more replies unread than the high-water mark. */
  behind(): boolean;
  /** Resolves true once it is not behind, false if it goes first. */
  room(): Promise<boolean>;
  /** Hand a reply to the page's socket. */
  reply(m: WireMessage): void;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  /** Push an event to every connected page. */
  broadcast(event: string, payload: unknown): void;
  /** What clients make the server hold now: connections, pages, reply bytes not yet read, requests waiting to start. */
  stats(): { connections: number; sockets: number; unread: number; waiting: number };
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

/** The id and channel at the head of a message as the app writes it (`{"id":1,"channel":"x:y",…`), read without parsing the rest. */
export function sniffHead(data: Buffer): { id: number; channel: string } | null {
  const m = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*,\s*"channel"\s*:\s*"([a-z]{1,20}:[a-z]{1,20})"/.exec(data.subarray(0, 200).toString('latin1'));
  return m ? { id: Number(m[1]), channel: m[2] } : null;
}

/** Arrays and objects a JSON text opens, counted up to `limit + 1` without parsing it. */
export function countContainers(data: Buffer, limit: number): number {
  let n = 0;
  for (const ch of [0x5b, 0x7b]) {
    for (let at = data.indexOf(ch); at >= 0 && n <= limit; at = data.indexOf(ch, at + 1)) n++;
  }
  return n;
}

/** A WebSocket path: its message size limit, how many sockets may be open on it, and the channels it takes. */
interface SocketPath {
  url: string;
  maxPayload: number;
  sockets: number;
  takes: (channel: unknown) => boolean;
  refusal: string;
}

const failure = (error: string, extra: Omit<Failure, 'ok' | 'error'> = {}): { ok: false } & Failure => ({ ok: false, error, ...extra });

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

  const server: Server = createServer(
    { maxHeaderSize: 16 * 1024, requestTimeout: IDLE_MS, headersTimeout: 5_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 },
    (req, res) => {
      const c = conns.get(req.socket);
      if (c) {
        c.busy = true;
        res.once('close', () => (c.busy = false));
      }
      try {
        handle(req, res);
      } catch {
        deny(res, 500, 'Internal error.');
      }
    },
  );
  server.maxHeadersCount = 64;

  // Every TCP connection, oldest first: whether it became a WebSocket, and whether a response is under way.
  const conns = new Map<Socket, { ws: boolean; busy: boolean }>();
  server.on('connection', (socket: Socket) => {
    conns.set(socket, { ws: false, busy: false });
    socket.once('close', () => conns.delete(socket));
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    if (conns.size <= MAX_CONNECTIONS) return;
    // Full: the oldest connection doing nothing makes room; with none, the newcomer is refused.
    for (const [s, c] of conns) {
      if (s !== socket && !c.ws && !c.busy) return void s.destroy();
    }
    socket.destroy();
  });
  // A request Node cannot parse gets Node's own answer (400, 431 for headers over maxHeaderSize, 408), and is closed.

  /**
   * Two WebSocket paths: the page's socket takes every channel in small messages (a larger one
   * closes it with 1009, before anything is parsed); uploads, the only large requests, go one
   * at a time over a socket of their own that takes nothing else.
   */
  const paths: Record<string, SocketPath> = {
    [SOCKET_PATH]: {
      url: SOCKET_PATH,
      maxPayload: MAX_REQUEST_BYTES,
      sockets: MAX_SOCKETS,
      takes: (c) => c !== 'models:upload',
      refusal: `send uploads over ${UPLOAD_SOCKET_PATH}`,
    },
    [UPLOAD_SOCKET_PATH]: {
      url: UPLOAD_SOCKET_PATH,
      maxPayload: MAX_MESSAGE_BYTES,
      sockets: 1,
      takes: (c) => c === 'models:upload',
      refusal: 'it takes only models:upload',
    },
  };
  // UTF-8 is not validated frame by frame: every message is parsed as JSON here anyway.
  const servers = new Map(
    Object.values(paths).map((p) => [p, new WebSocketServer({ noServer: true, maxPayload: p.maxPayload, skipUTF8Validation: true })] as const),
  );
  const open = (p: SocketPath) => [...clients.values()].filter((c) => c.path === p).length;
  /** Each page's socket, its path, and the count of its requests waiting to start. */
  const clients = new Map<WebSocket, { path: SocketPath; waiting: () => number }>();
  const heavy = new Gate(1, MAX_HEAVY_WAITING);

  /**
   * The answer to one message on a socket of `path`, whatever it holds; null when it was
   * already handed to the page (a heavy channel's, see below) or the page went.
   */
  const answer = async (data: Buffer, isBinary: boolean, path: SocketPath, page: Page): Promise<WireMessage | null> => {
    const { signal } = page;
    const id0 = sniffHead(data)?.id ?? -1;
    if (isBinary) return { id: id0, result: failure('bad message: binary messages are not supported') };
    if (countContainers(data, MAX_CONTAINERS) > MAX_CONTAINERS)
      return { id: id0, result: failure(`bad message: it opens more than ${MAX_CONTAINERS} arrays and objects; no request needs so many`) };
    let msg: { id?: unknown; channel?: unknown; payload?: unknown };
    try {
      msg = decode(data.toString('utf8')) as typeof msg;
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new Error('a message must be a JSON object');
    } catch (err) {
      return { id: -1, result: failure(`bad message: ${errorMessage(err).slice(0, 200)}`) };
    }
    const id = typeof msg.id === 'number' && Number.isSafeInteger(msg.id) && msg.id >= 0 ? msg.id : -1;
    if (id < 0) return { id: -1, result: failure('bad message: "id" must be a non-negative integer') };
    if (!path.takes(msg.channel)) return { id, result: failure(`bad message: ${path.url} does not take ${String(msg.channel).slice(0, 40)}; ${path.refusal}`) };
    if (typeof msg.channel === 'string' && HEAVY_CHANNELS.has(msg.channel)) {
      // A large reply is made only for a page that has read what it was sent, and the
      // gate is held until that reply is on the page's socket: a page that stops reading
      // holds at most one large reply past its high-water mark, and others' turns go on.
      const channel = msg.channel;
      for (;;) {
        if (!(await page.room())) return null;
        const release = await heavy.enter(signal);
        if (!release)
          return signal.aborted
            ? null
            : {
                id,
                result: failure(`${channel}: busy: ${MAX_HEAVY_WAITING} large requests are already waiting; try again when they finish`, {
                  code: 'busy',
                  params: { channel, limit: MAX_HEAVY_WAITING },
                }),
              };
        try {
          if (page.behind()) continue;
          page.reply({ id, result: await opts.dispatch(channel, msg.payload, { signal }) });
          return null;
        } finally {
          release();
        }
      }
    }
    return { id, result: await opts.dispatch(msg.channel, msg.payload, { signal }) };
  };

  const serveSocket = (ws: WebSocket, path: SocketPath) => {
    const gone = new AbortController();
    /** Messages received and not yet started. */
    const waiting: { data: Buffer; isBinary: boolean }[] = [];
    clients.set(ws, { path, waiting: () => waiting.length });
    let running = 0;
    let poll: NodeJS.Timeout | null = null;
    const close = () => {
      clients.delete(ws);
      gone.abort();
      waiting.length = 0;
      if (poll) clearInterval(poll);
    };
    ws.on('close', close);
    ws.on('error', close);
    const reply = (m: WireMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(encode(m));
      if (ws.bufferedAmount > MAX_UNREAD_BYTES) ws.terminate();
    };
    const behind = () => ws.bufferedAmount >= HIGH_WATER_BYTES;
    /** Resolves true once the page's unread replies are under the high-water mark, false if it goes first. */
    const room = () =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (gone.signal.aborted) resolve(false);
          else if (!behind()) resolve(true);
          else setTimeout(check, 20);
        };
        check();
      });
    const page: Page = { signal: gone.signal, room, behind, reply: (m) => reply(m) };
    const run = async (data: Buffer, isBinary: boolean) => {
      running++;
      try {
        const m = await answer(data, isBinary, path, page);
        if (m) reply(m);
      } catch {
        reply({ id: sniffHead(data)?.id ?? -1, result: failure('internal error: the request could not be answered') });
      } finally {
        running--;
        pump();
      }
    };
    /**
     * Start what waits while the page reads its replies; while it does not, start nothing
     * and stop reading from it (its own sends then back up on its side, not here).
     */
    const pump = () => {
      while (waiting.length && running < MAX_RUNNING && ws.bufferedAmount < HIGH_WATER_BYTES) {
        const m = waiting.shift()!;
        void run(m.data, m.isBinary);
      }
      if (ws.bufferedAmount < HIGH_WATER_BYTES || poll || gone.signal.aborted) return;
      ws.pause();
      poll = setInterval(() => {
        if (ws.bufferedAmount >= LOW_WATER_BYTES) return;
        clearInterval(poll!);
        poll = null;
        if (gone.signal.aborted) return;
        ws.resume();
        pump();
      }, 20);
    };
    ws.on('message', (raw: RawData, isBinary) => {
      const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (running + waiting.length >= MAX_IN_FLIGHT) {
        const head = sniffHead(data);
        const channel = head?.channel ?? 'request';
        const error = `${channel}: busy: ${MAX_IN_FLIGHT} requests are already waiting; try again when they finish`;
        reply({ id: head?.id ?? -1, result: failure(error, { code: 'busy', params: { channel, limit: MAX_IN_FLIGHT } }) });
      } else waiting.push({ data, isBinary });
      pump();
    });
  };

  server.on('upgrade', (req, socket: Socket, head) => {
    // A reset during the handshake must not become an unhandled error.
    socket.on('error', () => socket.destroy());
    // A refusal is written and the connection closed at once: a client that never reads holds nothing.
    const refuse = (code: number, why: string) => {
      if (socket.writable) socket.write(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
      socket.destroy();
    };
    try {
      if (!hostOk(req)) return refuse(421, 'Misdirected Request');
      const target = parseTarget(req.url);
      const path = target && Object.hasOwn(paths, target.path) ? paths[target.path] : null;
      if (!target || !path) return refuse(400, 'Bad Request');
      if (!originOk(req)) return refuse(403, 'Forbidden origin');
      if (!tokenOk(target.query)) return refuse(401, 'Missing or wrong token');
      if (open(path) >= path.sockets) return refuse(503, 'Too many connections');
      servers.get(path)!.handleUpgrade(req, socket, head, (ws) => {
        const c = conns.get(socket);
        if (c) c.ws = true;
        socket.setTimeout(0);
        serveSocket(ws, path);
      });
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
      // A page far behind on its replies misses events rather than growing the server.
      for (const [ws, c] of clients) if (c.path.url === SOCKET_PATH && ws.readyState === ws.OPEN && ws.bufferedAmount < HIGH_WATER_BYTES) ws.send(text);
    },
    stats: () => ({
      connections: conns.size,
      sockets: clients.size,
      unread: [...clients.keys()].reduce((s, ws) => s + ws.bufferedAmount, 0),
      waiting: [...clients.values()].reduce((s, c) => s + c.waiting(), 0),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of clients.keys()) ws.terminate();
        for (const w of servers.values()) w.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of conns.keys()) s.destroy();
      }),
  };
}
