import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, EVENT_NAMES } from '../../src/shared/channels';

const exposed: Record<string, Record<string, (...a: unknown[]) => unknown>> = {};
const invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 1 }));
const listeners = new Map<string, (...a: unknown[]) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: Record<string, (...a: unknown[]) => unknown>) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...args),
    on: (ch: string, l: (...a: unknown[]) => void) => listeners.set(ch, l),
    removeListener: (ch: string, l: unknown) => listeners.get(ch) === l && listeners.delete(ch),
  },
}));

beforeAll(async () => {
  await import('../../src/preload/index');
});

describe('preload bridge', () => {
  it('exposes exactly one function per channel and one subscription per event, frozen', () => {
    const api = exposed.rnnLens;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).length).toBe(CHANNEL_NAMES.length + EVENT_NAMES.length);
    expect(Object.keys(api)).not.toContain('ipcRenderer');
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
  });

  it('forwards calls to the matching channel', async () => {
    await exposed.rnnLens.modelPredict({ pixels: [] });
    await exposed.rnnLens.appStatus();
    expect(invoke.mock.calls).toEqual([
      ['model:predict', { pixels: [] }],
      ['app:status', {}],
    ]);
  });

  it('passes event payloads without the IPC event object and can unsubscribe', () => {
    const got: unknown[] = [];
    const off = exposed.rnnLens.onTrainProgress((p: unknown) => got.push(p)) as () => void;
    listeners.get('train:progress')!({ sender: 'secret' }, { kind: 'batch' });
    expect(got).toEqual([{ kind: 'batch' }]);
    off();
    expect(listeners.has('train:progress')).toBe(false);
    expect(() => exposed.rnnLens.onTrainDone('nope')).toThrow(/needs a callback/);
  });
});
