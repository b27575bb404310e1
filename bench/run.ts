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
import { kernelTanhError, measureRoundTrip, measureTraces, measureTrainerRss, measureTta, measureViz } from './measure';

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
function throughput(cell: CellType, backend: string, kernels: 'auto' | 'off', threads = 2): number {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'throughput.ts'), '--cell', cell, '--backend', backend, '--batches', String(batches), '--kernels', kernels],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RNN_LENS_THREADS: String(threads) },
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!).samplesPerSec;
}

/** The PyTorch peer from ../shared/peer, if Debian's python3-torch is installed. */
function peer(cell: CellType): { samplesPerSec: number; threads: number; torch: string } | null {
  const script = resolve(root, '..', 'shared', 'peer', 'rnn_torch.py');
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) return null;
  const r = spawnSync('/usr/bin/python3', [script, '--cell', cell, '--batches', String(batches), '--threads', String(cpus().length)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { samplesPerSec: j.samples_per_s, threads: j.threads, torch: j.torch };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const started = new Date();
  const backends = availableBackends();
  console.error(`backends available: ${backends.join(', ')}`);
  for (const cell of cells) {
    const p = peer(cell);
    const row = (label: string, backend: string, v: number, how: string) =>
      rows.push({
        metric: `train samples/s (${label})`,
        cell,
        backend,
        value: Math.round(v),
        unit: 'samples/s',
        ...(p ? { peer: p.samplesPerSec, ratio: +(v / p.samplesPerSec).toFixed(2) } : {}),
        note: `batch 128, ${batches} batches after 3 warm-up; ${how}${p ? `; PyTorch ${p.torch}, ${p.threads} threads` : ''}`,
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
        row('fused kernels, 2 threads', backend, throughput(cell, backend, 'auto', 2), 'WebAssembly SIMD kernels, batch split over 2 threads');
        row('fused kernels, 1 thread', backend, throughput(cell, backend, 'auto', 1), 'WebAssembly SIMD kernels, one thread');
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
  const rss = await measureTrainerRss(values.quick ? 6000 : 60000);
  rows.push({
    metric: 'trainer peak RSS',
    cell: 'rnn',
    value: rss.peakMb,
    unit: 'MiB',
    note: `one epoch of ${rss.samples} samples (VmHWM of the trainer process)`,
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
