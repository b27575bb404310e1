/**
 * The renderer's one door to main, typed from the contract. In the desktop app
 * it calls the preload's functions; in web mode it speaks the same contract over
 * a WebSocket to 127.0.0.1 with the page's token.
 */
import type { Channel, Events, Requests, Responses, Result } from '../../../shared/contract';
import { listenerName, methodName } from '../../../shared/channels';
import { decode, encode, type WireMessage } from '../../../shared/wire';

export interface LensApi {
  readonly transport: 'ipc' | 'web';
  /** Call a channel; rejects with an Error carrying main's message when the call fails. */
  call<C extends Channel>(channel: C, req: Requests[C]): Promise<Responses[C]>;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends keyof Events>(event: E, cb: (payload: Events[E]) => void): () => void;
  /** Connection state changes (web mode). */
  onConnection(cb: (connected: boolean) => void): () => void;
}

function unwrap<T>(r: Result<T> | undefined, channel: string): T {
  if (!r || typeof r !== 'object' || !('ok' in r)) throw new Error(`${channel}: the reply was not understood`);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function ipcApi(bridge: Record<string, (arg: unknown) => unknown>): LensApi {
  return {
    transport: 'ipc',
    async call(channel, req) {
      return unwrap((await bridge[methodName(channel)](req)) as Result<never>, channel);
    },
    on(event, cb) {
      return bridge[listenerName(event)](cb) as () => void;
    },
    onConnection(cb) {
      cb(true);
      return () => {};
    },
  };
}

function webApi(): LensApi {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; channel: string }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const connListeners = new Set<(c: boolean) => void>();
  let nextId = 1;
  let ws: WebSocket;
  let open: Promise<void>;
  let retry = 250;

  const connect = () => {
    ws = new WebSocket(url);
    open = new Promise((resolve) => ws.addEventListener('open', () => resolve(), { once: true }));
    ws.addEventListener('open', () => {
      retry = 250;
      connListeners.forEach((cb) => cb(true));
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
        try {
          p.resolve(unwrap(msg.result as Result<unknown>, p.channel));
        } catch (err) {
          p.reject(err as Error);
        }
      }
    });
    ws.addEventListener('close', () => {
      connListeners.forEach((cb) => cb(false));
      for (const [id, p] of pending) {
        p.reject(new Error(`${p.channel}: the connection to RNN Lens was lost`));
        pending.delete(id);
      }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    });
  };
  connect();

  return {
    transport: 'web',
    async call(channel, req) {
      await open;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, channel });
        ws.send(encode({ id, channel, payload: req }));
      });
    },
    on(event, cb) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
    onConnection(cb) {
      connListeners.add(cb);
      return () => connListeners.delete(cb);
    },
  };
}

/** The app's API, chosen once for the page. */
export const api: LensApi = (window as unknown as { lens?: Record<string, (arg: unknown) => unknown> }).lens
  ? ipcApi((window as unknown as { lens: Record<string, (arg: unknown) => unknown> }).lens)
  : webApi();
