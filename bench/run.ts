/**
 * `npm run bench [-- --quick] [--tta] [--backends wasm,cpu] [--cells rnn,lstm,gru]`
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
import { kernelTanhError, measureEvaluation, measureRoundTrip, measureServerRss, measureTraces, measureTrainerRss, measureTta, measureViz } from './measure';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export interface Row {
  metric: string;
  cell?: CellType;
  backend?: string;
  value: number;
  unit: string;
  /** PyTorch peer's figure for the same metric, where there is one. */
  peer?: number;
  /** ours / peer. */
  ratio?: number;
  note?: string;
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
  const wanted = values.backends ? values.backends.split(',') : ['tensorflow', 'wasm', 'cpu'];
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
function peer(cell: CellType): Peer | null {
  const script = resolve(root, '..', 'shared', 'peer', 'rnn_torch.py');
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) return null;
  const r = spawnSync('/usr/bin/python3', [script, '--cell', cell, '--batches', String(batches), '--threads', String(cpus().length)], { encoding: 'utf8' });
  if (r.status !== 0) return { refused: `the peer failed: ${r.stderr.trim().split('\n').pop()}` };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const blas = String(j.blas ?? 'unknown');
  if (!/openblas|mkl|blis/i.test(blas)) return { refused: `PyTorch loaded the ${blas} BLAS; no ratio is reported against it` };
  return { samplesPerSec: j.samples_per_s, threads: j.threads, torch: j.torch, blas, blasThreads: String(j.blas_threads ?? '?') };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const started = new Date();
  const backends = availableBackends();
  console.error(`backends available: ${backends.join(', ')}`);
  const peerReady = ensurePeerPackages();
  for (const cell of cells) {
    const found = peerReady ? peer(cell) : null;
    const p = found && 'samplesPerSec' in found ? found : null;
    if (found && 'refused' in found) console.error(`PyTorch peer for ${cell}: ${found.refused}`);
    const peerNote = p
      ? `; PyTorch ${p.torch} with ${p.blas} (${p.blasThreads} BLAS thread), ${p.threads} threads`
      : found && 'refused' in found
        ? `; ${found.refused}`
        : '';
    const row = (label: string, backend: string, v: number, how: string) =>
      rows.push({
        metric: `train samples/s (${label})`,
        cell,
        backend,
        value: Math.round(v),
        unit: 'samples/s',
        ...(p ? { peer: p.samplesPerSec, ratio: +(v / p.samplesPerSec).toFixed(2) } : {}),
        note: `batch 128, ${batches} batches after 3 warm-up; ${how}${peerNote}`,
      });
    for (const backend of backends) {
      if (backend === 'tensorflow') {
        console.error(`training throughput: ${cell} on tfjs-node…`);
        row('tfjs-node', backend, throughput(cell, backend, 'auto'), 'native TensorFlow');
        continue;
      }
      // The fused kernels do not depend on the tfjs backend; they are measured once, on the first one.
      if (backend === backends.find((b) => b !== 'tensorflow')) {
        console.error(`training throughput: ${cell}, fused kernels…`);
        row('fused kernels, 2 threads', backend, throughput(cell, backend, 'auto', 2), 'relaxed SIMD kernels, batch split over 2 threads');
        row('fused kernels, 1 thread', backend, throughput(cell, backend, 'auto', 1), 'relaxed SIMD kernels, one thread');
        row('fused kernels, plain SIMD, 2 threads', backend, throughput(cell, backend, 'auto', 2, false), 'plain 128-bit SIMD build (the fallback), 2 threads');
      }
      // Plain tfjs layers for comparison, on every backend.
      console.error(`training throughput: ${cell}, tfjs layers on ${backend}…`);
      row(`tfjs layers on ${backend}`, backend, throughput(cell, backend, 'off'), `tfjs-layers ${cell} on the ${backend} backend`);
    }
  }
  const tanh = kernelTanhError();
  rows.push({ metric: 'kernel tanh max |error| vs Math.tanh', value: tanh, unit: '', note: '200,001 points on [-12, 12]' });
  for (const cell of cells) {
    console.error(`trace latency: ${cell}…`);
    const t = await measureTraces(cell, values.quick ? 2000 : 10000);
    rows.push({ metric: 'trace p50', cell, value: t.p50, unit: 'ms', note: 'one digit, 1,000 calls' });
    rows.push({ metric: 'trace p95', cell, value: t.p95, unit: 'ms', note: 'one digit, 1,000 calls' });
    rows.push({
      metric: 'tensors after traces − before',
      cell,
      value: t.tensorGrowth,
      unit: 'tensors',
      note: `${t.calls} traces; bytes ${t.bytesGrowth >= 0 ? '+' : ''}${t.bytesGrowth}`,
    });
  }
  for (const cell of cells) {
    console.error(`evaluation: ${cell}…`);
    const e = await measureEvaluation(cell);
    rows.push({
      metric: 'evaluation of 10,000 test digits, first (cold)',
      cell,
      value: e.coldMs,
      unit: 'ms',
      note: `starts ${e.threads} evaluation threads, reads the test set, builds the kernel`,
    });
    rows.push({
      metric: 'evaluation of 10,000 test digits',
      cell,
      value: e.medianMs,
      unit: 'ms',
      note: `warm: ${e.threads} kept threads, fused kernels; median of ${e.warm}, spread ${e.spreadMs} ms`,
    });
    rows.push({ metric: 'main event-loop delay p99 while evaluating', cell, value: e.loopP99Ms, unit: 'ms', note: `${1 + e.warm} evaluations, cold and warm` });
    console.error(`hidden-state map and row importance: ${cell}…`);
    const v = await measureViz(cell);
    rows.push({ metric: 'map: trace the probe set', cell, value: v.probeMs, unit: 'ms', note: '2,000 test digits, final states and 400 digits of all steps' });
    rows.push({ metric: 'map: PCA fit', cell, value: v.pcaMs, unit: 'ms', note: 'covariance of 2,000 final states + top 2 eigenvectors (target ≤ 1 s)' });
    rows.push({ metric: 'map: place one drawing p50', cell, value: v.placeP50, unit: 'ms', note: '28 states onto the two axes (target ≤ 1 ms)' });
    rows.push({
      metric: 'row importance p50',
      cell,
      value: v.occlusionP50,
      unit: 'ms',
      note: 'up to 29 traces of one digit (target rnn ≤ 50 ms, lstm ≤ 150 ms)',
    });
    rows.push({ metric: 'row importance p95', cell, value: v.occlusionP95, unit: 'ms', note: '40 test digits' });
  }
  console.error('WebSocket round trip…');
  const rt = await measureRoundTrip(1000);
  rows.push({ metric: 'predict round trip p50', value: rt.p50, unit: 'ms', note: 'web mode WebSocket, 1,000 sequential calls' });
  rows.push({ metric: 'predict round trip p95', value: rt.p95, unit: 'ms', note: 'web mode WebSocket, 1,000 sequential calls' });
  console.error('trainer peak RSS…');
  const server = await measureServerRss(10_000);
  for (const [metric, value] of [
    ['web mode RSS idle', server.idle],
    ['web mode RSS after 1,000 predictions', server.after1000],
    ['web mode RSS after 10,000 predictions', server.end],
  ] as const) {
    rows.push({ metric, value, unit: 'MiB', note: 'npm run web as its own process; model:predict over one WebSocket' });
  }
  const rss = await measureTrainerRss(values.quick ? 6000 : 60000);
  rows.push({
    metric: 'trainer peak RSS',
    cell: 'rnn',
    value: rss.peakMb,
    unit: 'MiB',
    note: `one epoch of ${rss.samples} samples (VmHWM of the ${rss.built ? 'built' : 'source'} trainer process)`,
  });
  if (values.tta) {
    for (const preset of PRESETS) {
      console.error(`time to accuracy: ${preset.label} preset…`);
      const tta = await measureTta(preset.request);
      for (const [target, sec] of Object.entries(tta.reached)) {
        rows.push({
          metric: `time to ${target} test acc (${preset.label})`,
          cell: preset.request.cell,
          value: sec ?? NaN,
          unit: 's',
          note:
            sec == null
              ? `not reached in ${tta.epochs} epochs`
              : `from Train (trainer process start) to the epoch whose full-test-set accuracy first reached it; ${preset.blurb}`,
        });
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
  console.log('| metric | cell | backend | value | PyTorch | ours / PyTorch | note |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.metric} | ${r.cell ?? ''} | ${r.backend ?? ''} | ${Number.isNaN(r.value) ? '—' : r.value} ${r.unit} | ${r.peer ?? ''} | ${r.ratio ?? ''} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nrows written to bench/results/latest.json`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
