/**
 * Transport-independent request handling: check the channel, validate the
 * payload against the contract, run the handler, and turn every failure into
 * `{ ok: false, error, code?, params? }` with a message a person can act on. Never throws.
 */
import { CHANNELS, isChannel, validateRequest, type Channel, type Result } from '../../shared/contract';
import { codeOf } from '../../shared/errors';
import type { AppServices } from './index';

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

export function createDispatch(services: Pick<AppServices, 'handlers'>): Dispatch {
  return async (channel, payload) => {
    if (!isChannel(channel)) {
      const shown = typeof channel === 'string' ? `"${channel.slice(0, 60)}"` : typeof channel;
      return { ok: false, error: `unknown channel ${shown}: expected one of ${CHANNELS.join(', ')}`, code: 'unknownChannel', params: { channel: shown } };
    }
    const parsed = validateRequest(channel, payload);
    if (!parsed.ok) return parsed;
    try {
      const handler = services.handlers[channel as Channel] as (req: unknown) => unknown;
      return { ok: true, value: await handler(parsed.value) };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return { ok: false, error: msg.startsWith(`${channel}:`) ? msg : `${channel}: ${msg}`, ...codeOf(err) };
    }
  };
}
