/**
 * `npm run bench [-- --quick] [--tta] [--backends tensorflow,wasm,cpu] [--cells rnn,lstm,gru]`
 * Training throughput per cell and backend, trace latency, WebSocket round trip,
 * memory, and (with --tta) time to accuracy — side by side with the PyTorch peer.
 * Prints a markdown table and writes the rows to bench/results/latest.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CellType } from '../src/shared/types';
import { PRESETS } from '../src/shared/presets';
import {
  kernelTanhError,
  evalWorkerBuilt,
  measureEvaluation,
  measureRoundTrip,
  measureServerRss,
  measureTraces,
  measureTrainerRss,
  measureTrainingLoopDelay,
  measureTta,
  measureViz,
  peerTta,
} from './measure';
import { RUNS, repeat, stat, type Stat } from './stats';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export interface Row {
  metric: string;
  cell?: CellType;
  backend?: string;
  /** Median of the runs. */
  value: number;
  /** Smallest and largest of the runs. */
  spread?: [number, number];
  unit: string;
  /** PyTorch peer's median for the same metric, where there is one, and its spread. */
  peer?: number;
  peerSpread?: [number, number];
  /** ours / peer, of the medians. */
  ratio?: number;
  note?: string;
}

/** Rounding for a figure of this unit. */
const round = (v: number, unit: string) => (unit === 'samples/s' || unit === 'MiB' ? Math.round(v) : +v.toFixed(unit === 's' ? 1 : 2));

/** A row from repeated measurements (and the peer's, where there is one). */
function statRow(base: Omit<Row, 'value' | 'spread' | 'peer' | 'peerSpread' | 'ratio'>, s: Stat, p?: Stat | null): Row {
  const r = (v: number) => round(v, base.unit);
  return {
    ...base,
    value: r(s.median),
    spread: [r(s.min), r(s.max)],
    ...(p ? { peer: r(p.median), peerSpread: [r(p.min), r(p.max)] as [number, number], ratio: +(s.median / p.median).toFixed(2) } : {}),
  };
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    tta: { type: 'boolean' },
    backends: { type: 'string' },
    cells: { type: 'string' },
    batches: { type: 'string' },
  },
  strict: true,
});
const cells = (values.cells ?? 'rnn,lstm,gru').split(',') as CellType[];
const batches = Number(values.batches ?? (values.quick ? 30 : 40));
if (!Number.isInteger(batches) || batches < 30) {
  console.error('error: --batches must be a whole number ≥ 30 (steady state needs at least 30 batches)');
  process.exit(2);
}

/** Backends that can start here, each probed in a fresh process. */
function availableBackends(): string[] {
  // The plain JS cpu backend only when asked for: tfjs layers on it take minutes per figure.
  const wanted = values.backends ? values.backends.split(',') : ['tensorflow', 'wasm'];
  return wanted.filter((b) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'throughput.ts'), '--probe', b], { cwd: root, encoding: 'utf8' });
    return r.status === 0;
  });
}

/** Steady-state samples/s for one cell on one backend, measured in its own process. */
function throughput(cell: CellType, backend: string, kernels: 'auto' | 'off', threads = 2, relaxed = true): number {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'throughput.ts'), '--cell', cell, '--backend', backend, '--batches', String(batches), '--kernels', kernels],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RNN_LENS_THREADS: String(threads), RNN_LENS_RELAXED_SIMD: relaxed ? 'on' : 'off' },
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!).samplesPerSec;
}

/** Debian packages the peer needs: PyTorch, and OpenBLAS so it does not run on the 3–4× slower reference BLAS. */
const PEER_PACKAGES = ['python3-torch', 'libopenblas0-pthread'];

/** Install the peer's packages when they are missing and we may (root with apt); else say how. */
function ensurePeerPackages(): boolean {
  const missing = PEER_PACKAGES.filter((p) => spawnSync('dpkg', ['-s', p], { encoding: 'utf8' }).status !== 0);
  if (!missing.length) return true;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error(`installing the PyTorch peer's packages: ${missing.join(' ')}…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
    if (r.status === 0) return true;
  }
  console.error(`the PyTorch peer needs ${missing.join(' ')}: apt-get install -y ${PEER_PACKAGES.join(' ')}`);
  return false;
}

/** What the peer reported, or why it gives no fair comparison. */
type Peer = { samplesPerSec: number; threads: number; torch: string; blas: string; blasThreads: string } | { refused: string };

/** The PyTorch peer from ../shared/peer, only on an optimised BLAS: a ratio against the reference BLAS would flatter us. */
function peer(cell: CellType, threads: number): Peer | null {
  const script = resolve(root, '..', 'shared', 'peer', 'rnn_torch.py');
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) return null;
  const r = spawnSync('/usr/bin/python3', [script, '--cell', cell, '--batches', String(batches), '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { refused: `the peer failed: ${r.stderr.trim().split('\n').pop()}` };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const blas = String(j.blas ?? 'unknown');
  if (!/openblas|mkl|blis/i.test(blas)) return { refused: `PyTorch loaded the ${blas} BLAS; no ratio is reported against it` };
  return { samplesPerSec: j.samples_per_s, threads: j.threads, torch: j.torch, blas, blasThreads: String(j.blas_threads ?? '?') };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const started = new Date();
  // The trainer and workers as the desktop app runs them.
  console.error('building the app (electron-vite build)…');
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'ignore' });
  const backends = availableBackends();
  console.error(`backends available: ${backends.join(', ')}; each figure is the median of ${RUNS} runs`);
  const peerReady = ensurePeerPackages();
  const peerNote: string[] = [];
  for (const cell of cells) {
    for (const threads of [2, 1]) {
      const found: Peer[] = [];
      if (peerReady) for (let i = 0; i < RUNS; i++) found.push(peer(cell, threads) ?? { refused: 'no python3 or peer script' });
      const ok = found.filter((f): f is Extract<Peer, { samplesPerSec: number }> => 'samplesPerSec' in f);
      const refused = found.find((f): f is { refused: string } => 'refused' in f);
      if (refused) console.error(`PyTorch peer for ${cell}: ${refused.refused}`);
      const p = ok.length === RUNS ? stat(ok.map((f) => f.samplesPerSec)) : null;
      if (ok[0] && !peerNote.length) peerNote.push(`PyTorch ${ok[0].torch} with ${ok[0].blas} (${ok[0].blasThreads} BLAS thread)`);
      const how = (label: string, backend: string, kernels: 'auto' | 'off', relaxed: boolean, note: string, peerToo: boolean) =>
        repeat(() => ({ v: throughput(cell, backend, kernels, threads, relaxed) })).then(({ v }) =>
          rows.push(
            statRow(
              { metric: `train samples/s (${label})`, cell, backend, unit: 'samples/s', note: `batch 128, ${batches} batches after 3 warm-up; ${note}` },
              v,
              peerToo ? p : null,
            ),
          ),
        );
      const t = threads === 1 ? '1 thread' : `${threads} threads`;
      console.error(`training throughput: ${cell}, fused kernels, ${t}…`);
      const first = backends.find((b) => b !== 'tensorflow') ?? backends[0];
      await how(`fused kernels, relaxed SIMD, ${t}`, first, 'auto', true, `relaxed SIMD kernels, ${t}; PyTorch at ${t}`, true);
      await how(`fused kernels, plain SIMD, ${t}`, first, 'auto', false, `plain 128-bit SIMD build (the fallback), ${t}; PyTorch at ${t}`, true);
      if (p) rows.push(statRow({ metric: `train samples/s (PyTorch + OpenBLAS, ${t})`, cell, unit: 'samples/s', note: peerNote[0] ?? '' }, p));
      if (threads !== 2) continue;
      for (const backend of backends) {
        console.error(`training throughput: ${cell}, tfjs layers on ${backend}…`);
        await how(`tfjs layers on ${backend}`, backend, 'off', true, `tfjs-layers ${cell} on the ${backend} backend`, false);
      }
    }
  }
  const tanh = kernelTanhError();
  rows.push({ metric: 'kernel tanh max |error| vs Math.tanh', value: tanh, unit: '', note: '200,001 points on [-12, 12]; deterministic' });
  for (const cell of cells) {
    console.error(`trace latency: ${cell}…`);
    const t = await repeat(async () => {
      const r = await measureTraces(cell, values.quick ? 2000 : 10000);
      return { p50: r.p50, p95: r.p95, tensors: r.tensorGrowth };
    });
    rows.push(statRow({ metric: 'trace p50', cell, unit: 'ms', note: 'one digit, 1,000 calls' }, t.p50));
    rows.push(statRow({ metric: 'trace p95', cell, unit: 'ms', note: 'one digit, 1,000 calls' }, t.p95));
    rows.push(statRow({ metric: 'tensors after traces − before', cell, unit: 'tensors', note: 'over all traces of a run' }, t.tensors));
  }
  for (const cell of cells) {
    console.error(`evaluation: ${cell}…`);
    let threads = 0;
    const e = await repeat(async () => {
      const r = await measureEvaluation(cell);
      threads = r.threads;
      return { cold: r.coldMs, warm: r.medianMs, loop: r.loopP99Ms };
    });
    const evalNote = (what: string) => `${what}; ${threads} ${evalWorkerBuilt() ? 'built' : 'from-source (tsx)'} evaluation threads on the fused kernels`;
    rows.push(
      statRow(
        {
          metric: 'evaluation of 10,000 test digits, first (cold)',
          cell,
          unit: 'ms',
          note: evalNote('starts the threads, reads the test set, builds the kernel'),
        },
        e.cold,
      ),
    );
    rows.push(
      statRow(
        { metric: 'evaluation of 10,000 test digits', cell, unit: 'ms', note: evalNote('warm: the threads kept; each run the median of 3 calls') },
        e.warm,
      ),
    );
    rows.push(statRow({ metric: 'main event-loop delay p99 while evaluating', cell, unit: 'ms', note: 'over a cold and 3 warm evaluations' }, e.loop));
    console.error(`hidden-state map and row importance: ${cell}…`);
    const v = await repeat(() => measureViz(cell));
    rows.push(
      statRow({ metric: 'map: trace the probe set', cell, unit: 'ms', note: '2,000 test digits, final states and 400 digits of all steps' }, v.probeMs),
    );
    rows.push(statRow({ metric: 'map: PCA fit', cell, unit: 'ms', note: 'covariance of 2,000 final states + top 2 eigenvectors (target ≤ 1 s)' }, v.pcaMs));
    rows.push(statRow({ metric: 'map: place one drawing p50', cell, unit: 'ms', note: '28 states onto the two axes (target ≤ 1 ms)' }, v.placeP50));
    rows.push(
      statRow({ metric: 'row importance p50', cell, unit: 'ms', note: 'up to 29 traces of one digit (target rnn ≤ 50 ms, lstm ≤ 150 ms)' }, v.occlusionP50),
    );
    rows.push(statRow({ metric: 'row importance p95', cell, unit: 'ms', note: '40 test digits' }, v.occlusionP95));
  }
  console.error('WebSocket round trip…');
  const rt = await repeat(() => measureRoundTrip(1000));
  rows.push(statRow({ metric: 'predict round trip p50', unit: 'ms', note: 'web mode WebSocket, 1,000 sequential calls' }, rt.p50));
  rows.push(statRow({ metric: 'predict round trip p95', unit: 'ms', note: 'web mode WebSocket, 1,000 sequential calls' }, rt.p95));
  console.error('web mode RSS…');
  const server = await repeat(async () => {
    const r = await measureServerRss(10_000);
    return { idle: r.idle, after1000: r.after1000, end: r.end };
  });
  const serverNote = 'npm run web as its own process; model:predict over one WebSocket';
  rows.push(statRow({ metric: 'web mode RSS idle', unit: 'MiB', note: serverNote }, server.idle));
  rows.push(statRow({ metric: 'web mode RSS after 1,000 predictions', unit: 'MiB', note: serverNote }, server.after1000));
  rows.push(statRow({ metric: 'web mode RSS after 10,000 predictions', unit: 'MiB', note: serverNote }, server.end));
  console.error('trainer peak RSS…');
  const samples = values.quick ? 6000 : 60000;
  const rss = await repeat(async () => ({ peak: (await measureTrainerRss(samples)).peakMb }));
  rows.push(
    statRow(
      { metric: 'trainer peak RSS', cell: 'rnn', unit: 'MiB', note: `one tutorial epoch of ${samples} digits (VmHWM of the built trainer process)` },
      rss.peak,
    ),
  );
  const quick = PRESETS[0];
  console.error('main event-loop delay while training…');
  const loop = await repeat((i) => measureTrainingLoopDelay(quick.request, i + 1));
  rows.push(
    statRow(
      {
        metric: 'main event-loop delay p99 while training',
        cell: quick.request.cell,
        unit: 'ms',
        note: `${quick.label} preset, progress streamed to the services as in the app`,
      },
      loop.p99Ms,
    ),
  );
  if (values.tta) {
    for (const preset of PRESETS) {
      console.error(`time to accuracy: ${preset.label} preset, seeds 1–${RUNS}…`);
      const ours: Record<string, (number | null)[]> = { '0.95': [], '0.97': [] };
      for (let seed = 1; seed <= RUNS; seed++) {
        const tta = await measureTta(preset.request, seed);
        for (const k of Object.keys(ours)) ours[k].push(tta.reached[k]);
      }
      const theirs: (number | null)[] = [];
      let peerHow = '';
      for (let seed = 1; seed <= RUNS && peerReady; seed++) {
        console.error(`  PyTorch, same recipe, seed ${seed}…`);
        const r = peerTta(preset.request, seed, 0.97);
        theirs.push(r?.sec ?? null);
        if (r) peerHow = `PyTorch with ${r.blas}, ${r.threads} threads, same recipe (bench/peer_tta.py)`;
      }
      for (const [target, secs] of Object.entries(ours)) {
        const reached = secs.filter((s): s is number => s !== null);
        const peerReached = target === '0.97' ? theirs.filter((s): s is number => s !== null) : [];
        const row = { metric: `time to ${target} test acc (${preset.label})`, cell: preset.request.cell, unit: 's' };
        if (reached.length < RUNS) {
          rows.push({ ...row, value: NaN, note: `reached in ${reached.length} of ${RUNS} seeds within ${preset.request.epochs} epochs` });
          continue;
        }
        const note = `seeds 1–${RUNS}, from Train (trainer process start) to the first full-test-set evaluation at or above it; ${preset.blurb}${peerReached.length ? `; ${peerHow}` : ''}`;
        rows.push(statRow({ ...row, note }, stat(reached), peerReached.length === RUNS ? stat(peerReached) : null));
      }
    }
  }
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    date: started.toISOString(),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify({ machine, rows }, null, 2));
  console.log(`\nRNN Lens bench — ${machine.date} — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}\n`);
  console.log(`Each figure: median of ${RUNS} runs [smallest–largest].\n`);
  console.log('| metric | cell | backend | value | PyTorch | ours / PyTorch | note |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | --- |');
  const fmt = (v: number, s?: [number, number]) => (Number.isNaN(v) ? '—' : s ? `${v} [${s[0]}–${s[1]}]` : `${v}`);
  for (const r of rows) {
    console.log(
      `| ${r.metric} | ${r.cell ?? ''} | ${r.backend ?? ''} | ${fmt(r.value, r.spread)} ${r.unit} | ${r.peer === undefined ? '' : fmt(r.peer, r.peerSpread)} | ${r.ratio ?? ''} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nrows written to bench/results/latest.json`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
