/**
 * `npm run bench [-- --quick] [--tta] [--only protocol,reads,builds,click,other] [--rounds N] [--batches N]
 *   [--backends tensorflow,wasm,cpu] [--cells rnn,lstm,gru] [--reads cols,pixels:4,…]`
 *
 * - protocol: training throughput against PyTorch + OpenBLAS by the protocol of bench/protocol.ts
 *   (rounds of alternating fresh processes at 1 and 2 threads, disturbed rounds run again);
 * - reads: the same at every other reading order (bench/reads.ts), at 2 threads, beside PyTorch on
 *   the same model and read (bench/peer_read.py);
 * - builds: the plain SIMD build of the kernels and tfjs layers, for reference (no ratio);
 * - click: the Quick preset from the `train:start` request to `train:done`, through the services;
 * - other: kernel tanh, traces, evaluation, the map, WebSocket round trip, memory, event-loop delay;
 * - with --tta: time to accuracy beside PyTorch on the same recipe.
 *
 * Prints markdown tables and writes everything, every protocol round included, to
 * bench/results/latest.json. A run with fewer than 30 batches or fewer than 5 rounds
 * is a check of the bench, not figures to quote: it goes to bench/results/check.json. A run of only
 * some sections at full strength gives figures for those sections: bench/results/<sections>-<date>T<hhmm>.json.
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
  measureClickToDone,
  measureEvaluation,
  measureRoundTrip,
  measureServerRss,
  measureTraces,
  measureTrainerRss,
  measureTrainingLoopDelay,
  measureTta,
  measureExperimentEffects,
  measureSeparability,
  measureVerdict,
  measureViz,
  peerTta,
} from './measure';
import { calibrate, CALIBRATION_ITERATIONS, cpuInfo, MIN_ROUNDS, runRounds, TOLERANCE, type CellResult, type PerThreads } from './protocol';
import { RUNS, repeat, stat, type Stat } from './stats';
import { parseReads, readRounds, type ReadResult } from './reads';
import { DEFAULT_READ, readShape, type Read } from '../src/shared/reads';

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
  /** ours / peer: the median of per-round ratios for protocol rows, else the ratio of the medians. */
  ratio?: number;
  ratioSpread?: [number, number];
  note?: string;
}

/** Rounding for a figure of this unit. */
const round = (v: number, unit: string) => (unit === 'samples/s' || unit === 'MiB' ? Math.round(v) : +v.toFixed(unit === 's' ? 1 : 2));

/** A row from repeated measurements (and the peer's, where there is one; `ratio` from the protocol's rounds). */
function statRow(base: Omit<Row, 'value' | 'spread' | 'peer' | 'peerSpread' | 'ratio' | 'ratioSpread'>, s: Stat, p?: Stat | null, ratio?: Stat | null): Row {
  const r = (v: number) => round(v, base.unit);
  const q = (v: number) => +v.toFixed(2);
  return {
    ...base,
    value: r(s.median),
    spread: [r(s.min), r(s.max)],
    ...(p ? { peer: r(p.median), peerSpread: [r(p.min), r(p.max)] as [number, number], ratio: q(s.median / p.median) } : {}),
    ...(p && ratio ? { ratio: q(ratio.median), ratioSpread: [q(ratio.min), q(ratio.max)] as [number, number] } : {}),
  };
}

const SECTIONS = ['protocol', 'reads', 'builds', 'click', 'other'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    tta: { type: 'boolean' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    backends: { type: 'string' },
    cells: { type: 'string' },
    batches: { type: 'string' },
    reads: { type: 'string' },
  },
  strict: true,
});
const cells = (values.cells ?? 'rnn,lstm,gru').split(',') as CellType[];
const batches = Number(values.batches ?? (values.quick ? 30 : 40));
const rounds = Number(values.rounds ?? MIN_ROUNDS);
const only = values.only ? (values.only.split(',') as Section[]) : [...SECTIONS];
if (!Number.isInteger(batches) || batches < 1 || !Number.isInteger(rounds) || rounds < 1 || only.some((s) => !SECTIONS.includes(s))) {
  console.error(`error: --batches and --rounds take whole numbers ≥ 1, --only some of ${SECTIONS.join(',')}`);
  process.exit(2);
}
let reads: Read[];
try {
  reads = parseReads(values.reads);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(2);
}
/** Figures to quote need steady state (30 batches at least) and five rounds. */
const check = batches < 30 || rounds < MIN_ROUNDS;
/** Only some sections: their figures stand, the run is not the whole bench. */
const partial = only.length < SECTIONS.length;
/** Thread counts of the protocol. */
const THREADS = [1, 2];

/** Backends that can start here, each probed in a fresh process. */
function availableBackends(): string[] {
  // The plain JS cpu backend only when asked for: tfjs layers on it take minutes per figure.
  const wanted = values.backends ? values.backends.split(',') : ['tensorflow', 'wasm'];
  return wanted.filter((b) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'throughput.ts'), '--probe', b], { cwd: root, encoding: 'utf8' });
    return r.status === 0;
  });
}

/** What one fresh throughput process reported (bench/throughput.ts). */
interface Throughput {
  samplesPerSec: number;
  path: string;
  /** The kernel build that ran, when the kernels trained. */
  kernel?: string;
  threads?: number;
}

/** Steady-state samples/s for one cell on one backend (at a read, over n batches), measured in its own process. */
function throughput(cell: CellType, backend: string, kernels: 'auto' | 'off', threads = 2, relaxed = true, read: Read = DEFAULT_READ, n = batches): Throughput {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'throughput.ts'), '--cell', cell, '--backend', backend, '--batches', String(n), '--kernels', kernels, '--read', read],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RNN_LENS_THREADS: String(threads), RNN_LENS_RELAXED_SIMD: relaxed ? 'on' : 'off' },
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Throughput;
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
function peer(cell: CellType, threads: number, n = batches): Peer {
  const script = resolve(root, '..', 'shared', 'peer', 'rnn_torch.py');
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) return { refused: `no /usr/bin/python3 or no ${script}` };
  const r = spawnSync('/usr/bin/python3', [script, '--cell', cell, '--batches', String(n), '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { refused: `the peer failed: ${r.stderr.trim().split('\n').pop()}` };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const blas = String(j.blas ?? 'unknown');
  if (!/openblas|mkl|blis/i.test(blas)) return { refused: `PyTorch loaded the ${blas} BLAS; no ratio is reported against it` };
  return { samplesPerSec: j.samples_per_s, threads: j.threads, torch: j.torch, blas, blasThreads: String(j.blas_threads ?? '?') };
}

/** The protocol's record for the JSON: how it ran and every round of every cell. */
interface ProtocolRecord {
  batches: number;
  wantedRounds: number;
  threads: number[];
  tolerance: number;
  calibration: { iterations: number; threads: number };
  backend: string;
  /** The PyTorch peer as it reported itself, or why there is none. */
  peer: { torch: string; blas: string; blasThreads: string } | { refused: string };
  /** The kernel builds that ran (relaxed or plain SIMD). */
  kernels: string[];
  cells: Partial<Record<CellType, CellResult>>;
}

/**
 * Ours against PyTorch by the protocol (bench/protocol.ts): per cell, rounds of fresh processes
 * alternating ours and the peer at each thread count, with a calibration before, between and after.
 */
async function protocolFigures(rows: Row[], backend: string, peerReady: boolean): Promise<ProtocolRecord> {
  const calThreads = Math.max(...THREADS);
  const probe: Peer = peerReady ? peer('rnn', 1, 1) : { refused: `missing packages: ${PEER_PACKAGES.join(' ')}` };
  const peerOk = 'samplesPerSec' in probe;
  if (!peerOk) console.error(`no PyTorch peer (${probe.refused}): the protocol measures our side only, with no ratio`);
  const record: ProtocolRecord = {
    batches,
    wantedRounds: rounds,
    threads: THREADS,
    tolerance: TOLERANCE,
    calibration: { iterations: CALIBRATION_ITERATIONS, threads: calThreads },
    backend,
    peer: peerOk ? { torch: probe.torch, blas: probe.blas, blasThreads: probe.blasThreads } : probe,
    kernels: [],
    cells: {},
  };
  await calibrate(calThreads); // the first calibration of a process runs slow; not counted
  for (const cell of cells) {
    console.error(`protocol: ${cell}, ${rounds} rounds wanted (ours and PyTorch alternating at ${THREADS.join(' and ')} threads)…`);
    const result = await runRounds({
      wanted: rounds,
      threads: THREADS,
      measure: async () => {
        const calibrations = [await calibrate(calThreads)];
        const ours: PerThreads = {};
        const theirs: PerThreads = {};
        let kernel = '';
        for (const t of THREADS) {
          const o = throughput(cell, backend, 'auto', t);
          if (o.path !== 'kernels') throw new Error(`the protocol measures the fused kernels, but ${cell} trained on ${o.path}`);
          if (o.threads !== t) throw new Error(`asked for ${t} kernel threads, ${cell} ran ${o.threads}`);
          ours[t] = o.samplesPerSec;
          kernel = o.kernel ?? '?';
          calibrations.push(await calibrate(calThreads));
          if (!peerOk) continue;
          const p = peer(cell, t);
          if ('refused' in p) throw new Error(`PyTorch peer, ${cell} at ${t} threads: ${p.refused}`);
          theirs[t] = p.samplesPerSec;
          calibrations.push(await calibrate(calThreads));
        }
        return { calibrationMs: calibrations, ours, peer: peerOk ? theirs : null, kernel };
      },
      onRound: (r) => {
        const figures = THREADS.map((t) => `${t}t ${Math.round(r.ours[t])}${r.peer ? ` vs ${Math.round(r.peer[t])}` : ''}`).join(', ');
        console.error(
          `  round ${r.index}: ${figures}; calibration ${r.calibrationMs.join(' → ')} ms${r.disturbed.length ? ` — disturbed: ${r.disturbed.join('; ')}` : ''}`,
        );
      },
    });
    record.cells[cell] = result;
    for (const r of result.rounds) if (!record.kernels.includes(r.kernel)) record.kernels.push(r.kernel);
    const counted = result.rounds.filter((r) => !r.disturbed.length).length;
    if (!result.complete)
      console.error(`  ${cell}: only ${counted} of ${rounds} rounds undisturbed after ${result.rounds.length}; its figures are not to be quoted`);
    for (const s of result.summary) {
      const t = s.threads === 1 ? '1 thread' : `${s.threads} threads`;
      const kernels = [...new Set(result.rounds.map((r) => r.kernel))].join('/');
      const how = `protocol: ${counted} undisturbed of ${result.rounds.length} rounds${result.complete ? '' : ` (INCOMPLETE: ${rounds} wanted)`}, alternating fresh processes, batch 128, ${batches} batches after 3 warm-up`;
      rows.push(
        statRow(
          {
            metric: `train samples/s (fused kernels, ${kernels} SIMD, ${t})`,
            cell,
            backend,
            unit: 'samples/s',
            note: `${how}; ratio: median of per-round ratios`,
          },
          s.ours,
          s.peer,
          s.ratio,
        ),
      );
      if (s.peer)
        rows.push(
          statRow(
            {
              metric: `train samples/s (PyTorch + OpenBLAS, ${t})`,
              cell,
              unit: 'samples/s',
              note: `${how}; ${peerOk ? `PyTorch ${probe.torch} with ${probe.blas} (${probe.blasThreads} BLAS thread)` : ''}`,
            },
            s.peer,
          ),
        );
    }
  }
  return record;
}

/** Every other read beside PyTorch on the same model and read (bench/reads.ts), at 2 threads. */
async function readFigures(rows: Row[], backend: string, peerReady: boolean): Promise<ReadResult[]> {
  const peerOk = peerReady && existsSync('/usr/bin/python3');
  if (!peerOk) console.error('no PyTorch peer: the reads section measures our side only, with no ratio');
  const results = await readRounds({
    reads,
    cells,
    threads: [2],
    rounds,
    rowsBatches: batches,
    hidden: 128,
    peerOk,
    ours: (cell, read, t, n) => throughput(cell, backend, 'auto', t, true, read, n),
  });
  for (const { read, cell, batches: n, result } of results) {
    const { steps, inputs } = readShape(read);
    const counted = result.rounds.filter((r) => !r.disturbed.length).length;
    const how = `protocol: ${counted} undisturbed of ${result.rounds.length} rounds${result.complete ? '' : ` (INCOMPLETE: ${rounds} wanted)`}, alternating fresh processes, 128 units, batch 128, ${n} batches after 3 warm-up`;
    for (const s of result.summary) {
      const base = { cell, backend, unit: 'samples/s' };
      rows.push(
        statRow(
          {
            ...base,
            metric: `train samples/s reading ${read} (${steps} × ${inputs} px), fused kernels, ${s.threads} threads`,
            note: `${how}; ratio: median of per-round ratios`,
          },
          s.ours,
          s.peer,
          s.ratio,
        ),
      );
      if (s.peer)
        rows.push(
          statRow(
            {
              ...base,
              backend: undefined,
              metric: `train samples/s reading ${read} (${steps} × ${inputs} px), PyTorch + OpenBLAS, ${s.threads} threads`,
              note: `${how}; bench/peer_read.py`,
            },
            s.peer,
          ),
        );
    }
  }
  return results;
}

/** The plain SIMD build (the fallback) and tfjs layers, for reference: medians of RUNS fresh processes, no ratio. */
async function buildFigures(rows: Row[], backends: string[], kernelsBackend: string): Promise<void> {
  for (const cell of cells) {
    for (const threads of [2, 1]) {
      const t = threads === 1 ? '1 thread' : `${threads} threads`;
      console.error(`training throughput: ${cell}, plain SIMD kernels, ${t}…`);
      const plain = await repeat(() => ({ v: throughput(cell, kernelsBackend, 'auto', threads, false).samplesPerSec }));
      rows.push(
        statRow(
          {
            metric: `train samples/s (fused kernels, plain SIMD, ${t})`,
            cell,
            backend: kernelsBackend,
            unit: 'samples/s',
            note: `the plain 128-bit SIMD build (the fallback); batch 128, ${batches} batches after 3 warm-up`,
          },
          plain.v,
        ),
      );
    }
    for (const backend of backends) {
      console.error(`training throughput: ${cell}, tfjs layers on ${backend}…`);
      const layers = await repeat(() => ({ v: throughput(cell, backend, 'off').samplesPerSec }));
      rows.push(
        statRow(
          {
            metric: `train samples/s (tfjs layers on ${backend})`,
            cell,
            backend,
            unit: 'samples/s',
            note: `tfjs-layers ${cell} on the ${backend} backend, 2 threads`,
          },
          layers.v,
        ),
      );
    }
  }
}

/** What a person waits for with the Quick preset: from the train:start request to train:done, through the services. */
async function clickFigures(rows: Row[]): Promise<void> {
  const quick = PRESETS[0];
  console.error(`click to done: ${quick.label} preset, a first run and ${RUNS} more…`);
  const { first, later } = await measureClickToDone(quick.request, RUNS);
  const how =
    'through AppServices with the built trainer forked, as the app starts a run; from the train:start request to the train:done event (trainer start, MNIST, training, the test pass, saving and activating)';
  rows.push(
    statRow(
      {
        metric: `click to done (${quick.label})`,
        cell: quick.request.cell,
        unit: 's',
        note: `${how}; ${RUNS} runs reading the cached path choice; test accuracy ${later.map((r) => r.testAccuracy.toFixed(4)).join(', ')}`,
      },
      stat(later.map((r) => r.clickToDoneSec)),
    ),
  );
  rows.push(
    statRow(
      {
        metric: `click to done, first run (${quick.label})`,
        cell: quick.request.cell,
        unit: 's',
        note: `${how}; the first run in a fresh user folder also times both training paths`,
      },
      stat([first.clickToDoneSec]),
    ),
  );
  rows.push(
    statRow(
      {
        metric: `trainer time within it (${quick.label})`,
        cell: quick.request.cell,
        unit: 's',
        note: "the trainer's own elapsedSec of the same runs (what the summary showed before)",
      },
      stat(later.map((r) => r.trainerSec)),
    ),
  );
}

async function otherFigures(rows: Row[]): Promise<void> {
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
    rows.push(
      statRow(
        { metric: 'map: whole fit with the discriminant', cell, unit: 'ms', note: 'probe set, PCA, Fisher discriminant and its pair choice (target ≤ 1 s)' },
        v.mapMs,
      ),
    );
    rows.push(
      statRow({ metric: 'memory experiment p95', cell, unit: 'ms', note: 'the slowest of the four, 40 test digits each (target ≤ 30 ms)' }, v.experimentP95),
    );
    rows.push(statRow({ metric: 'map: place one drawing p50', cell, unit: 'ms', note: '28 states onto the two axes (target ≤ 1 ms)' }, v.placeP50));
    rows.push(
      statRow({ metric: 'row importance p50', cell, unit: 'ms', note: 'up to 29 traces of one digit (target rnn ≤ 50 ms, lstm ≤ 150 ms)' }, v.occlusionP50),
    );
    rows.push(statRow({ metric: 'row importance p95', cell, unit: 'ms', note: '40 test digits' }, v.occlusionP95));
  }
  console.error('the not-a-digit verdict of the shipped models…');
  for (const v of await measureVerdict()) {
    const note = `${v.model}: test digits called digits ${v.digitsAccepted}, non-digit set ${v.nonDigitsAccepted}; ECE ${v.eceBefore} → ${v.eceAfter} (T = ${v.temperature})`;
    rows.push({ metric: 'verdict: AUROC, test digits against the non-digit set', value: Number(v.auroc), unit: '', note });
    rows.push({
      metric: 'verdict: non-digits called digits',
      value: Number(v.nonDigitsAccepted),
      unit: '',
      note: `${v.model}; target ≤ 0.10 at ≥ 0.95 of digits (${v.digitsAccepted}); let through: ${v.nonDigitsLetThrough}; sets of the same kinds drawn from other seeds: ${v.nonDigitsAcceptedOtherSeeds}`,
    });
    rows.push({
      metric: "verdict: non-digits called digits, the state's density alone",
      value: Number(v.stateAloneNonDigitsAccepted),
      unit: '',
      note: `${v.model}; without the strokes' density, at ${v.stateAloneDigitsAccepted} of digits`,
    });
    rows.push({
      metric: 'verdict: fitting the statistics of a version',
      value: Number(v.fitMs),
      unit: 'ms',
      note: `${v.model}; 8,000 + 4,000 training digits on one thread, the ink's statistics at hand, median of 3 (target ≤ 2 s); the first in the process ${v.fitFirstMs} ms`,
    });
    rows.push({
      metric: "verdict: fitting the ink's statistics, once per app",
      value: Number(v.inkFitMs),
      unit: 'ms',
      note: `the same for every model; on one thread, median of 3; the first in the process ${v.inkFitFirstMs} ms`,
    });
    rows.push({ metric: 'verdict: added to a prediction p95', value: Number(v.verdictMsP95), unit: 'ms', note: `${v.model}; target ≤ 1 ms` });
  }
  console.error('what the memory experiments do to the shipped models…');
  for (const e of await measureExperimentEffects())
    rows.push({
      metric: `experiment: ${e.change}, answers kept`,
      value: e.kept,
      unit: '',
      note: `${e.model}: of the ${e.right} of the first 1,000 test digits it reads right`,
    });
  console.error('separability of the shipped models’ maps…');
  for (const s of await measureSeparability()) {
    rows.push({
      metric: 'map separability (held-out 10-NN accuracy)',
      cell: s.cell,
      value: s[s.shown as 'lda' | 'pca'],
      unit: '',
      note: `${s.model} (${s.cell}-${s.hidden}): discriminant ${s.lda}, PCA ${s.pca}; shown by default: ${s.shown === 'lda' ? 'discriminant' : 'PCA'}`,
    });
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
}

async function ttaFigures(rows: Row[], peerReady: boolean): Promise<void> {
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
      const note = `seeds 1–${RUNS}, from the trainer process start to the first full-test-set evaluation at or above it; ${preset.blurb}${peerReached.length ? `; ${peerHow}` : ''}`;
      rows.push(statRow({ ...row, note }, stat(reached), peerReached.length === RUNS ? stat(peerReached) : null));
    }
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const started = new Date();
  // The trainer and workers as the desktop app runs them.
  console.error('building the app (electron-vite build)…');
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'ignore' });
  const backends = availableBackends();
  const kernelsBackend = backends.find((b) => b !== 'tensorflow') ?? backends[0];
  console.error(`backends available: ${backends.join(', ')}; sections: ${only.join(', ')}${check ? ' — a check of the bench, not figures to quote' : ''}`);
  const peerReady = (only.includes('protocol') || only.includes('reads') || !!values.tta) && ensurePeerPackages();
  const protocol = only.includes('protocol') ? await protocolFigures(rows, kernelsBackend, peerReady) : null;
  const readResults = only.includes('reads') ? await readFigures(rows, kernelsBackend, peerReady) : null;
  if (only.includes('builds')) await buildFigures(rows, backends, kernelsBackend);
  if (only.includes('click')) await clickFigures(rows);
  if (only.includes('other')) await otherFigures(rows);
  if (values.tta) await ttaFigures(rows, peerReady);
  const machine = {
    cores: cpus().length,
    cpu: cpuInfo(cpus()[0]?.model ?? 'unknown'),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    date: started.toISOString(),
  };
  const file = check ? 'check.json' : partial ? `${only.join('+')}-${machine.date.slice(0, 16).replace(':', '')}.json` : 'latest.json';
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', file), JSON.stringify({ check, partial, sections: only, machine, protocol, reads: readResults, rows }, null, 2));
  const features = (['avx2', 'avx512', 'fma'] as const).map((f) => `${f.toUpperCase()} ${machine.cpu[f] ? 'yes' : 'no'}`).join(', ');
  console.log(
    `\nRNN Lens bench — ${machine.date} — ${machine.cores} cores, ${machine.cpu.model}${machine.cpu.generation ? ` [${machine.cpu.generation}]` : ''} (${features}), Node ${machine.node}\n`,
  );
  if (check) console.log('A CHECK OF THE BENCH (fewer than 30 batches or fewer than 5 rounds): not figures to quote.\n');
  if (protocol) {
    console.log(
      `Protocol: per cell, rounds of fresh processes alternating ours and PyTorch at ${THREADS.join(' and ')} threads, a calibration before, between and after;`,
    );
    console.log(
      `disturbed rounds (calibrations moved or slow by more than ${100 * TOLERANCE}%, more threads below fewer) run again. Kernel build: ${protocol.kernels.join(', ')}.\n`,
    );
    console.log('| cell | threads | ours, samples/s | PyTorch, samples/s | ours / PyTorch | rounds counted / run |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [cell, result] of Object.entries(protocol.cells)) {
      const counted = result.rounds.filter((r) => !r.disturbed.length).length;
      if (!result.summary.length) console.log(`| ${cell} | — | — | — | — | 0 / ${result.rounds.length} INCOMPLETE |`);
      for (const s of result.summary) {
        const f = (x: Stat | null, d = 0) => (x ? `${x.median.toFixed(d)} [${x.min.toFixed(d)}–${x.max.toFixed(d)}]` : '—');
        console.log(
          `| ${cell} | ${s.threads} | ${f(s.ours)} | ${f(s.peer)} | ${f(s.ratio, 2)} | ${counted} / ${result.rounds.length}${result.complete ? '' : ' INCOMPLETE'} |`,
        );
      }
    }
    console.log('');
  }
  if (readResults) {
    console.log('Reads: per read and cell, rounds of fresh processes alternating ours and PyTorch (bench/peer_read.py) at 2 threads, judged as above.\n');
    console.log('| read | steps × px | cell | ours, samples/s | PyTorch, samples/s | ours / PyTorch | rounds counted / run |');
    console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
    for (const { read, cell, result } of readResults) {
      const { steps, inputs } = readShape(read);
      const counted = result.rounds.filter((r) => !r.disturbed.length).length;
      const f = (x: Stat | null, d = 0) => (x ? `${x.median.toFixed(d)} [${x.min.toFixed(d)}–${x.max.toFixed(d)}]` : '—');
      const s = result.summary[0];
      console.log(
        `| ${read} | ${steps} × ${inputs} | ${cell} | ${s ? f(s.ours) : '—'} | ${s ? f(s.peer) : '—'} | ${s ? f(s.ratio, 2) : '—'} | ${counted} / ${result.rounds.length}${result.complete ? '' : ' INCOMPLETE'} |`,
      );
    }
    console.log('');
  }
  console.log(`All rows: median [smallest–largest]; protocol rows over their undisturbed rounds, the others over ${RUNS} runs.\n`);
  console.log('| metric | cell | backend | value | PyTorch | ours / PyTorch | note |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | --- |');
  const fmt = (v: number, s?: [number, number]) => (Number.isNaN(v) ? '—' : s ? `${v} [${s[0]}–${s[1]}]` : `${v}`);
  for (const r of rows) {
    console.log(
      `| ${r.metric} | ${r.cell ?? ''} | ${r.backend ?? ''} | ${fmt(r.value, r.spread)} ${r.unit} | ${r.peer === undefined ? '' : fmt(r.peer, r.peerSpread)} | ${r.ratio === undefined ? '' : fmt(r.ratio, r.ratioSpread)} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nwritten to bench/results/${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
