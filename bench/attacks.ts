/**
 * `node --import tsx bench/attacks.ts [--only N]` (N: an attack's number, or 0 for the two runs with no attack)
 * Web mode under the attacks of a hostile client, one after another on a fresh server each:
 * while each runs, a second page asks `model:predict` every 50 ms; the bench reports that
 * page's latency (median, p95, worst, failures) and the server's RSS above idle (peak).
 * Writes bench/results/attacks.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { initBackend } from '../src/node/engine/backend';
import { modelToBytes } from '../src/node/engine/model/artifacts';
import { createModel } from '../src/node/engine/model/model';
import { ModelStore } from '../src/node/engine/model/store';
import { decode, encode } from '../src/shared/wire';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ZEROS = new Array(784).fill(0);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Server {
  proc: ChildProcess;
  port: number;
  token: string;
  userData: string;
}

async function startServer(prepare?: (userData: string) => Promise<void>): Promise<Server> {
  const userData = mkdtempSync(join(tmpdir(), 'rnn-lens-attack-'));
  await prepare?.(userData);
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/node/web/main.ts', '--port', '0', '--no-build', '--user-data', userData], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`web mode did not start:\n${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d;
      const m = /RNN Lens: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
  });
  const u = new URL(url);
  return { proc, port: Number(u.port), token: u.searchParams.get('token')!, userData };
}

const rssMiB = (pid: number) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

interface Page {
  ws: WebSocket;
  call(channel: string, payload: unknown, timeoutMs?: number): Promise<{ ok: boolean; value?: unknown; error?: string }>;
}

async function openPage(s: Server, path = '/ws'): Promise<Page> {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}${path}?token=${s.token}`, { maxPayload: 256 * 1024 * 1024 });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('error', () => {});
  const waiting = new Map<number, (r: { ok: boolean }) => void>();
  ws.on('message', (d) => {
    const m = decode(d.toString()) as { id?: number; result?: { ok: boolean } };
    if (m.id !== undefined && m.result) waiting.get(m.id)?.(m.result);
  });
  let next = 1;
  return {
    ws,
    call: (channel, payload, timeoutMs = 30_000) =>
      new Promise((resolve) => {
        const id = next++;
        const t = setTimeout(() => resolve({ ok: false, error: 'timeout' }), timeoutMs);
        waiting.set(id, (r) => {
          clearTimeout(t);
          resolve(r);
        });
        ws.send(encode({ id, channel, payload }));
      }),
  };
}

/** Run `attack` while a victim page (bench/attackVictim.ts, on its own thread) predicts every 50 ms; latency and RSS figures. */
async function measure(name: string, s: Server, attack: () => Promise<void>, ms: number) {
  // A worker does not inherit tsx's hooks: the engine's boot file registers them, then runs the victim.
  const victim = new Worker(join(root, 'src', 'node', 'engine', 'workerBoot.mjs'), {
    argv: [join(root, 'bench', 'attackVictim.ts')],
    workerData: { port: s.port, token: s.token },
  });
  await once(victim, 'message');
  await sleep(500);
  const idle = rssMiB(s.proc.pid!);
  let peak = idle;
  const rss = setInterval(() => (peak = Math.max(peak, rssMiB(s.proc.pid!))), 50);
  const attackDone = attack().catch((e) => console.error(`${name}: ${(e as Error).message}`));
  await Promise.race([attackDone.then(() => sleep(1000)), sleep(ms)]);
  victim.postMessage('stop');
  const [{ latencies, failed }] = (await once(victim, 'message')) as [{ latencies: number[]; failed: number }];
  await victim.terminate();
  clearInterval(rss);
  const alive = s.proc.exitCode === null;
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1);
  const row = {
    attack: name,
    alive,
    predictions: latencies.length,
    failed,
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    worstMs: q(1),
    idleMiB: Math.round(idle),
    peakAboveIdleMiB: Math.round(peak - idle),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function stopServer(s: Server) {
  s.proc.kill('SIGTERM');
  await sleep(300);
  rmSync(s.userData, { recursive: true, force: true });
}

/** Save a large LSTM into a fresh user folder and make it the active version. */
async function withLstm1024(userData: string) {
  await initBackend('cpu');
  const store = new ModelStore(join(userData, 'models'));
  const m = createModel({ cell: 'lstm', hidden: 1024, seed: 1 });
  const bytes = await modelToBytes(m);
  await store.saveBytes(bytes.modelJson, bytes.weights, {
    cell: 'lstm',
    hidden: 1024,
    epochs: 0,
    learningRate: 0.001,
    batchSize: 128,
    dataset: 'mnist',
    backend: 'cpu',
    testAccuracy: null,
    command: 'bench',
    parent: null,
    history: [],
  });
  m.dispose();
}

const attacks: { name: string; prepare?: (dir: string) => Promise<void>; run: (s: Server) => Promise<void>; ms: number }[] = [
  // What the victim page sees with no attack, with the shipped model and with the LSTM-1024 of attacks 2b and 3
  // active: each prediction on the LSTM-1024 is itself a large forward pass.
  { name: '0a no attack, the shipped model', ms: 10_000, run: () => sleep(10_000) },
  { name: '0b no attack, an LSTM-1024 active', prepare: withLstm1024, ms: 10_000, run: () => sleep(10_000) },
  {
    name: '1 a 5.7-million-digit version id on five channels',
    ms: 8_000,
    run: async (s) => {
      const p = await openPage(s);
      const id = `v${'0'.repeat(5_700_000)}`;
      for (const channel of ['models:activate', 'viz:map', 'models:delete', 'models:export']) await p.call(channel, { id });
      await p.call('viz:trace', { id, pixels: ZEROS });
      p.ws.terminate();
    },
  },
  {
    name: '2a 2,500 dataset:digits, replies never read',
    ms: 20_000,
    run: async (s) => {
      const p = await openPage(s);
      p.ws.pause();
      const indices = Array.from({ length: 200 }, (_, i) => i);
      for (let i = 0; i < 2500; i++) p.ws.send(encode({ id: i, channel: 'dataset:digits', payload: { indices } }));
      await sleep(15_000);
      p.ws.terminate();
    },
  },
  {
    name: '2b 150 exports of an LSTM-1024, replies never read',
    prepare: withLstm1024,
    ms: 20_000,
    run: async (s) => {
      const p = await openPage(s);
      p.ws.pause();
      for (let i = 0; i < 150; i++) p.ws.send(encode({ id: i, channel: 'models:export', payload: { id: 'v0001' } }));
      await sleep(15_000);
      p.ws.terminate();
    },
  },
  {
    name: '3 64 viz:importance on an LSTM-1024, close, reconnect, for 30 s',
    prepare: withLstm1024,
    ms: 40_000,
    run: async (s) => {
      const t0 = Date.now();
      while (Date.now() - t0 < 30_000) {
        const p = await openPage(s);
        for (let i = 0; i < 64; i++) p.ws.send(encode({ id: i, channel: 'viz:importance', payload: { pixels: ZEROS } }));
        await sleep(300);
        p.ws.terminate();
      }
    },
  },
  {
    name: '4 64 upgrades with a wrong token never read, and 64 idle sockets, for 15 s',
    ms: 20_000,
    run: async (s) => {
      const held: Socket[] = [];
      const upgrade = `GET /ws?token=wrong HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      const t0 = Date.now();
      while (Date.now() - t0 < 15_000) {
        for (const h of held.splice(0)) h.destroy();
        for (let i = 0; i < 128; i++) {
          const c = connect(s.port, '127.0.0.1');
          c.on('error', () => {});
          c.pause();
          if (i < 64) c.write(upgrade);
          held.push(c);
        }
        // The page and a WebSocket must still open while they sit there.
        const r = await fetch(`http://127.0.0.1:${s.port}/?token=${s.token}`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
        if (r?.status !== 200) throw new Error(`the page did not open: ${r?.status ?? 'timeout'}`);
        (await openPage(s)).ws.terminate();
        await sleep(2_000);
      }
      for (const h of held) h.destroy();
    },
  },
  {
    name: '6 seven sockets x two nested-array messages of 33 MB, and two on the upload socket',
    ms: 25_000,
    run: async (s) => {
      const bomb = (channel: string) => `{"id":1,"channel":"${channel}","payload":${'['.repeat(16_000_000)}${']'.repeat(16_000_000)}}`;
      const pages = await Promise.all(Array.from({ length: 7 }, () => openPage(s)));
      const body = bomb('model:predict');
      for (const p of pages) for (let i = 0; i < 2; i++) p.ws.send(body);
      const up = await openPage(s, '/ws/upload');
      const upBody = bomb('models:upload');
      for (let i = 0; i < 2; i++) up.ws.send(upBody);
      await sleep(10_000);
      for (const p of [...pages, up]) p.ws.terminate();
    },
  },
];

/** Attack 5 is a file, not a request: `npm run train -- --from DIR` with a prototype-key class and a 1 GiB sparse weights.bin. */
function modelFileAttack() {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lens-proto-'));
  const good = JSON.parse(readFileSync(join(root, 'resources', 'model', 'model.json'), 'utf8'));
  good.modelTopology.config.layers[0].class_name = 'constructor';
  writeFileSync(join(dir, 'model.json'), JSON.stringify(good));
  writeFileSync(join(dir, 'weights.bin'), '');
  truncateSync(join(dir, 'weights.bin'), 1024 ** 3);
  const t0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, '--import', 'tsx', 'src/node/cli/train.ts', '--from', dir, '--epochs', '1', '--limit', '128'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RNN_LENS_USER_DATA: join(dir, 'ud') },
    },
  );
  const ms = performance.now() - t0;
  const peakKiB = Number(r.stderr.trim().split('\n').at(-1));
  rmSync(dir, { recursive: true, force: true });
  const row = {
    attack: '5 a model file naming class "constructor" beside a 1 GiB weights.bin',
    exit: r.status,
    message: /class_name[^\n]*/.exec(r.stderr)?.[0] ?? r.stderr.slice(0, 200),
    seconds: +(ms / 1000).toFixed(1),
    peakMiB: Math.round(peakKiB / 1024),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const rows: unknown[] = [];
  for (const a of attacks) {
    if (values.only && !a.name.startsWith(values.only)) continue;
    const s = await startServer(a.prepare);
    try {
      rows.push(await measure(a.name, s, () => a.run(s), a.ms));
    } finally {
      await stopServer(s);
    }
  }
  if (!values.only || values.only === '5') rows.push(modelFileAttack());
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'attacks.json'), JSON.stringify({ at: new Date().toISOString(), rows }, null, 1));
}

void main();
