import { describe, expect, it } from 'vitest';
import { Latest } from '../../src/renderer/src/lib/latest';

/** A request whose reply the test releases by hand. */
function deferred() {
  const sent: { input: number; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const send = (input: number) => new Promise<string>((resolve, reject) => sent.push({ input, resolve, reject }));
  return { sent, send };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Latest: the newest reply wins', () => {
  it('sends one request at a time, and of the inputs that arrive meanwhile only the newest', async () => {
    const d = deferred();
    const shown: string[] = [];
    const latest = new Latest({ send: d.send, show: (r) => shown.push(r) });
    latest.push(1);
    latest.push(2);
    latest.push(3);
    expect(d.sent.map((s) => s.input)).toEqual([1]);
    d.sent[0].resolve('one');
    await tick();
    // A newer input was waiting: the reply to 1 is dropped and 3 goes next; 2 never goes.
    expect(shown).toEqual([]);
    expect(d.sent.map((s) => s.input)).toEqual([1, 3]);
    d.sent[1].resolve('three');
    await tick();
    expect(shown).toEqual(['three']);
    expect(latest.busy).toBe(false);
  });

  it('shows a superseded reply when asked to (live feedback), and still sends the newest input', async () => {
    const d = deferred();
    const shown: string[] = [];
    const latest = new Latest({ send: d.send, show: (r) => shown.push(r), superseded: 'show' });
    latest.push(1);
    latest.push(2);
    d.sent[0].resolve('one');
    await tick();
    expect(shown).toEqual(['one']);
    d.sent[1].resolve('two');
    await tick();
    expect(shown).toEqual(['one', 'two']);
  });

  it('drops the reply in flight and the waiting input after cancel', async () => {
    const d = deferred();
    const shown: string[] = [];
    const failed: unknown[] = [];
    const latest = new Latest({ send: d.send, show: (r) => shown.push(r), fail: (e) => failed.push(e), superseded: 'show' });
    latest.push(1);
    latest.push(2);
    latest.cancel();
    d.sent[0].resolve('one');
    await tick();
    expect(shown).toEqual([]);
    expect(d.sent).toHaveLength(1);
    // A cancelled request's failure is not reported either.
    latest.push(4);
    latest.cancel();
    await tick();
    d.sent[1].reject(new Error('gone'));
    await tick();
    expect(failed).toEqual([]);
    // After a cancel, new inputs go through as usual.
    latest.push(5);
    await tick();
    d.sent[2].resolve('five');
    await tick();
    expect(shown).toEqual(['five']);
  });

  it('reports the failure of the newest request with its input', async () => {
    const d = deferred();
    const failed: [unknown, number][] = [];
    const latest = new Latest({ send: d.send, show: () => {}, fail: (e, input) => failed.push([e, input]) });
    latest.push(7);
    const err = new Error('no model');
    d.sent[0].reject(err);
    await tick();
    expect(failed).toEqual([[err, 7]]);
  });
});
