/**
 * The typed bridge between the renderer and main, derived from the contract: one
 * function per channel and one on… subscription per event. The preload builds it
 * over Electron IPC and the web client over a WebSocket, both with createBridge,
 * so the renderer sees the same interface in either.
 */
import { CHANNEL_NAMES, EVENT_NAMES, listenerName, methodName } from './channels';
import type { Channel, EventName, Events, Requests, Responses, Result } from './contract';

type Camel<S extends string> = S extends `${infer A}:${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

/** What the preload exposes as window.rnnLens, and what the web client implements. */
export type Bridge = {
  readonly [C in Channel as Camel<C>]: (payload: Requests[C]) => Promise<Result<Responses[C]>>;
} & {
  readonly [E in EventName as `on${Capitalize<Camel<E>>}`]: (cb: (payload: Events[E]) => void) => () => void;
};

/** Send one request; resolves with main's reply. */
export type Invoke = (channel: Channel, payload: unknown) => Promise<unknown>;
/** Listen to one event; returns the unsubscribe function. */
export type Subscribe = (event: EventName, cb: (payload: unknown) => void) => () => void;

/** Build a Bridge over any transport. */
export function createBridge(invoke: Invoke, subscribe: Subscribe): Bridge {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNEL_NAMES) api[methodName(channel)] = (payload?: unknown) => invoke(channel, payload ?? {});
  for (const event of EVENT_NAMES) {
    api[listenerName(event)] = (cb: (payload: unknown) => void) => {
      if (typeof cb !== 'function') throw new TypeError(`${listenerName(event)} needs a callback`);
      return subscribe(event, cb);
    };
  }
  return Object.freeze(api) as Bridge;
}

/** Call a channel through a bridge. */
export function callBridge<C extends Channel>(bridge: Bridge, channel: C, payload: Requests[C]): Promise<Result<Responses[C]>> {
  const fn = bridge[methodName(channel) as keyof Bridge] as unknown as (p: Requests[C]) => Promise<Result<Responses[C]>>;
  return fn(payload);
}

/** Subscribe to an event through a bridge. */
export function onBridge<E extends EventName>(bridge: Bridge, event: E, cb: (payload: Events[E]) => void): () => void {
  const fn = bridge[listenerName(event) as keyof Bridge] as unknown as (cb: (p: Events[E]) => void) => () => void;
  return fn(cb);
}
