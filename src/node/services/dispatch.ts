/**
 * Transport-independent request handling: check the channel, validate the
 * payload against the contract, run the handler, and turn every failure into
 * `{ ok: false, error, code?, params? }` with a message a person can act on.
 * Never throws: whatever a client sends, the promise resolves with a Result.
 */
import { CHANNELS, isChannel, validateRequest, type Channel, type Result } from '../../shared/contract';
import { codeOf, errorMessage } from '../../shared/errors';
import type { RequestContext } from './handlers';
import type { AppServices } from './index';

export type Dispatch = (channel: unknown, payload: unknown, ctx?: RequestContext) => Promise<Result<unknown>>;

export function createDispatch(services: Pick<AppServices, 'handlers'>): Dispatch {
  return async (channel, payload, ctx = {}) => {
    const name = isChannel(channel) ? channel : null;
    try {
      if (!name) {
        const shown = typeof channel === 'string' ? `"${channel.slice(0, 60)}"` : typeof channel;
        return { ok: false, error: `unknown channel ${shown}: expected one of ${CHANNELS.join(', ')}`, code: 'unknownChannel', params: { channel: shown } };
      }
      const parsed = validateRequest(name, payload);
      if (!parsed.ok) return parsed;
      const handler = services.handlers[name as Channel] as (req: unknown, ctx: RequestContext) => unknown;
      return { ok: true, value: await handler(parsed.value, ctx) };
    } catch (err) {
      const msg = errorMessage(err).slice(0, 2000);
      const where = name ?? 'request';
      return { ok: false, error: msg.startsWith(`${where}:`) ? msg : `${where}: ${msg}`, ...codeOf(err) };
    }
  };
}
