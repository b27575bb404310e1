import type { Channel, Events, Requests, Responses, Result } from '../shared/contract';

type Camel<S extends string> = S extends `${infer A}:${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

/** What the preload exposes as window.lens. */
export type LensBridge = {
  [C in Channel as Camel<C>]: (payload: Requests[C]) => Promise<Result<Responses[C]>>;
} & {
  [E in keyof Events as `on${Capitalize<Camel<E>>}`]: (cb: (payload: Events[E]) => void) => () => void;
};

declare global {
  interface Window {
    lens?: LensBridge;
  }
}
