/**
 * The victim page of bench/attacks.ts, on a thread of its own so that the attacker's work in the
 * bench's main thread (encoding a 33 MB message takes seconds) cannot delay its timing: it asks
 * `model:predict` of a real test digit every 50 ms until told to stop, then posts its latencies. It starts timing once
 * predictions carry the verdict (the shipped model's statistics are fitted about 2 s after the first
 * prediction), or after 20 s: an LSTM-1024's take minutes to fit, and its predictions go out without
 * a verdict meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { defaultMnistDir, loadSplit } from '../src/node/engine/data/dataset';
import { decode, encode } from '../src/shared/wire';

const { port, token } = workerData as { port: number; token: string };
// A real digit, as a person's drawing is: a blank canvas would cost a model next to nothing
// (an LSTM's state stays exactly zero on it, and the reference trace skips zeros).
const DIGIT = Array.from(loadSplit(defaultMnistDir(), 't10k', 1).images);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
await new Promise((r, j) => ws.once('open', r).once('error', j));
ws.on('error', () => {});
const waiting = new Map<number, (r: { ok: boolean; value?: { verdict?: unknown } }) => void>();
ws.on('message', (d) => {
  const m = decode(d.toString()) as { id?: number; result?: { ok: boolean; value?: { verdict?: unknown } } };
  if (m.id !== undefined && m.result) waiting.get(m.id)?.(m.result);
});
let next = 1;
const predict = (timeoutMs: number) =>
  new Promise<{ ok: boolean; value?: { verdict?: unknown } }>((resolve) => {
    const id = next++;
    const t = setTimeout(() => resolve({ ok: false }), timeoutMs);
    waiting.set(id, (r) => {
      clearTimeout(t);
      waiting.delete(id);
      resolve(r);
    });
    ws.send(encode({ id, channel: 'model:predict', payload: { pixels: DIGIT } }));
  });

for (let i = 0; i < 100 && !(await predict(30_000)).value?.verdict; i++) await sleep(200);
let stop = false;
parentPort!.once('message', () => (stop = true));
parentPort!.postMessage({ ready: true });
const latencies: number[] = [];
let failed = 0;
while (!stop) {
  const t0 = performance.now();
  if (!(await predict(20_000)).ok) failed++;
  latencies.push(performance.now() - t0);
  await sleep(50);
}
ws.terminate();
parentPort!.postMessage({ latencies, failed });
