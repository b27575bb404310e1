import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const child = Object.assign(new EventEmitter(), { pid: 4242, postMessage: vi.fn(), kill: vi.fn(), stderr: new EventEmitter() });
const fork = vi.fn(() => child);
vi.mock('electron', () => ({ utilityProcess: { fork: (...a: unknown[]) => fork(...(a as [])) } }));

describe('utilityProcess trainer', () => {
  it('adapts Electron’s utilityProcess to the manager’s TrainerChild', async () => {
    const { utilityTrainer } = await import('../../src/main/utilityTrainer');
    const t = utilityTrainer('/app/out/main/trainer.js');
    expect(fork).toHaveBeenCalledWith(
      '/app/out/main/trainer.js',
      [],
      expect.objectContaining({ serviceName: 'RNN Lens trainer', execArgv: ['--max-semi-space-size=1'] }),
    );
    expect(t.pid).toBe(4242);
    const msgs: unknown[] = [];
    const exits: unknown[] = [];
    t.onMessage((m) => msgs.push(m));
    t.onExit((code, signal, detail) => exits.push([code, signal, detail]));
    child.emit('message', { type: 'ready', backend: 'wasm' });
    child.stderr.emit('data', Buffer.from('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'));
    child.emit('exit', 134);
    expect(msgs).toEqual([{ type: 'ready', backend: 'wasm' }]);
    expect(exits).toEqual([[134, null, expect.stringContaining('heap out of memory')]]);
    t.kill();
    expect(child.kill).toHaveBeenCalled();
  });
});
