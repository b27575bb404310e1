/**
 * The renderer's one door to main, typed from the contract. In the desktop app
 * the Bridge comes from the preload; in web mode the same Bridge is built over a
 * WebSocket to 127.0.0.1 with the page's token.
 */
import { callBridge, createBridge, onBridge, type Bridge } from '$shared/bridge';
import { SOCKET_PATH, UPLOAD_SOCKET_PATH } from '$shared/channels';
import type { Channel, EventName, Events, Failure, Requests, Responses, Result } from '$shared/contract';
import type { ErrorCode, ErrorParams } from '$shared/errors';
import { decode, encode, type WireMessage } from '$shared/wire';

export interface Api {
  readonly transport: 'ipc' | 'web';
  /** Call a channel; rejects with an Error carrying main's message when the call fails. */
  call<C extends Channel>(channel: C, req: Requests[C]): Promise<Responses[C]>;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
  /** Connection state changes (web mode). */
  onConnection(cb: (connected: boolean) => void): () => void;
}

/** A failed call: main's English message, with its code and parameters when main gave them. */
export class ApiError extends Error {
  readonly code?: ErrorCode;
  readonly params?: ErrorParams;
  constructor(f: Failure) {
    super(f.error);
    this.code = f.code;
    this.params = f.params;
  }
}

function unwrap<T>(r: Result<T> | undefined, channel: string): T {
  if (!r || typeof r !== 'object' || !('ok' in r)) throw new Error(`${channel}: the reply was not understood`);
  if (!r.ok) throw new ApiError(r);
  return r.value;
}

/** The Bridge over a WebSocket, reconnecting with back-off; `connection` hears each open and close. */
function webBridge(connection: Set<(c: boolean) => void>): Bridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${SOCKET_PATH}?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, { resolve: (v: unknown) => void; channel: string }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let nextId = 1;
  let ws: WebSocket;
  let open: Promise<void>;
  let retry = 250;

  const connect = () => {
    ws = new WebSocket(url);
    open = new Promise((resolve) => ws.addEventListener('open', () => resolve(), { once: true }));
    ws.addEventListener('open', () => {
      retry = 250;
      connection.forEach((cb) => cb(true));
    });
    ws.addEventListener('message', (e) => {
      let msg: WireMessage;
      try {
        msg = decode(String(e.data)) as WireMessage;
      } catch {
        return;
      }
      if ('event' in msg) listeners.get(msg.event)?.forEach((cb) => cb(msg.payload));
      else {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        p.resolve(msg.result);
      }
    });
    ws.addEventListener('close', () => {
      connection.forEach((cb) => cb(false));
      for (const [id, p] of pending) {
        p.resolve({ ok: false, error: `${p.channel}: the connection to RNN Lens was lost`, code: 'connectionLost', params: { channel: p.channel } });
        pending.delete(id);
      }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    });
  };
  connect();

  return createBridge(
    async (channel, payload) => {
      if (channel === 'models:upload') return upload(payload, token);
      await open;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, { resolve, channel });
        ws.send(encode({ id, channel, payload }));
      });
    },
    (event, cb) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(cb);
      return () => set.delete(cb);
    },
  );
}

/**
 * Uploads, the only large requests, go over a WebSocket of their own, opened for the one
 * request and closed after it: the page's socket takes only small messages.
 */
function upload(payload: unknown, token: string): Promise<unknown> {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${UPLOAD_SOCKET_PATH}?token=${encodeURIComponent(token)}`;
  const lost = { ok: false, error: 'models:upload: the connection to RNN Lens was lost', code: 'connectionLost', params: { channel: 'models:upload' } };
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.addEventListener('open', () => ws.send(encode({ id: 1, channel: 'models:upload', payload })));
    ws.addEventListener('message', (e) => {
      try {
        const msg = decode(String(e.data)) as WireMessage;
        if ('result' in msg) resolve(msg.result);
      } catch {
        resolve(lost);
      }
      ws.close();
    });
    ws.addEventListener('close', () => resolve(lost));
  });
}

function createApi(): Api {
  const connection = new Set<(c: boolean) => void>();
  const desktop = window.rnnLens;
  const bridge = desktop ?? webBridge(connection);
  return {
    transport: desktop ? 'ipc' : 'web',
    async call(channel, req) {
      return unwrap(await callBridge(bridge, channel, req), channel);
    },
    on: (event, cb) => onBridge(bridge, event, cb),
    onConnection(cb) {
      if (desktop) {
        cb(true);
        return () => {};
      }
      connection.add(cb);
      return () => connection.delete(cb);
    },
  };
}

/** The app's API, chosen once for the page. */
export const api: Api = createApi();
