import { describe, expect, it } from 'vitest';
import { isTrustedSender, registerIpc, type IpcMainLike } from '../../src/main/ipc';
import { CHANNELS } from '../../src/shared/contract';

const APP = 'app://rnn-lens/index.html';

describe('sender-frame check', () => {
  it('accepts only the top frame of the app page', () => {
    expect(isTrustedSender({ url: APP, parent: null }, APP)).toBe(true);
    expect(isTrustedSender({ url: `${APP}#viz`, parent: null }, APP)).toBe(true);
    expect(isTrustedSender({ url: APP, parent: {} }, APP)).toBe(false); // an iframe inside the app
    expect(isTrustedSender({ url: 'app://rnn-lens/other.html', parent: null }, APP)).toBe(true);
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', parent: null }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'app://evil/index.html', parent: null }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'https://rnn-lens/index.html', parent: null }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'not a url', parent: null }, APP)).toBe(false);
    expect(isTrustedSender(null, APP)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender({ url: 'http://localhost:5174/', parent: null }, 'http://localhost:5173')).toBe(false);
  });

  it('registers every channel and refuses calls from other frames before dispatching', async () => {
    const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    const calls: unknown[] = [];
    registerIpc(
      { handle: (c, l) => handlers.set(c, l) },
      async (channel, payload) => {
        calls.push([channel, payload]);
        return { ok: true, value: 'served' };
      },
      APP,
    );
    expect([...handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const predict = handlers.get('model:predict')!;
    expect(await predict({ senderFrame: { url: 'file:///tmp/evil.html', parent: null } }, {})).toEqual({
      ok: false,
      error: 'model:predict: refused: the request did not come from the RNN Lens window',
      code: 'refusedSender',
      params: { channel: 'model:predict' },
    });
    expect(await predict({ senderFrame: { url: APP, parent: { url: APP } } }, {})).toMatchObject({ ok: false });
    expect(await predict({ senderFrame: null }, {})).toMatchObject({ ok: false });
    expect(calls).toEqual([]);
    expect(await predict({ senderFrame: { url: APP, parent: null } }, { pixels: [] })).toEqual({ ok: true, value: 'served' });
    expect(calls).toEqual([['model:predict', { pixels: [] }]]);
  });
});
