/** The bench's individual measurements. */
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createDispatch } from '../src/node/services/dispatch';
import { initBackend } from '../src/node/engine/backend';
import { imageAt, loadDataset } from '../src/node/engine/data/dataset';
import { RecurrentKernel } from '../src/node/engine/kernels/recurrentKernel';
import { KernelRuntime } from '../src/node/engine/kernels/runtime';
import { classifyOffThread } from '../src/node/engine/inference/evaluate';
import { EvalPool } from '../src/node/engine/inference/evalPool';
import { createModel } from '../src/node/engine/model/model';
import { Tracer } from '../src/node/engine/inference/trace';
import { TUTORIAL_CONFIG } from '../src/shared/training';
import type { Events, TrainStartRequest } from '../src/shared/contract';
import { builtinModelDir, builtinModelDirs } from '../src/node/paths';
import { AppServices } from '../src/node/services/index';
import { forkTrainer } from '../src/node/trainer/forkTrainer';
import type { TrainerMessage } from '../src/node/trainer/protocol';
import { defaultMnistDir } from '../src/node/engine/data/dataset';
import { startWebServer } from '../src/node/web/server';
import type { CellType } from '../src/shared/types';
import { decode, encode } from '../src/shared/wire';
import { SIDE, STEPS } from '../src/shared/types';
import { projectStates } from '../src/shared/projection';
import { loadModelFolder } from '../src/node/engine/model/folder';
import { fitHiddenMap, PROBE_DIGITS, probeStates } from '../src/node/engine/viz/hiddenMap';
import { runExperiment } from '../src/node/engine/inference/experiments';
import { knnAccuracy } from '../src/node/engine/viz/lda';
import { fitInkOn, fitVerdictOn, traceFeatures, VERDICT_DIGITS, verdictOf } from '../src/node/engine/inference/verdict';
import { build } from '../scripts/make-nondigits';
import { EXPERIMENTS } from '../src/shared/types';
import { rowImportance } from '../src/node/engine/viz/occlusion';
import { BatchForward } from '../src/node/engine/inference/batchForward';
import { pca } from '../src/node/engine/viz/pca';

const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(3);
};

/** Trace latency over the first 1,000 calls, and tensor growth over all `calls`. */
export async function measureTraces(cell: CellType, calls: number) {
  await initBackend();
  const ds = loadDataset(undefined, { trainLimit: 1, testLimit: 100 });
  const model = createModel({ cell, hidden: 128 });
  const tracer = new Tracer(model);
  for (let i = 0; i < 50; i++) tracer.trace(imageAt(ds.test, i % 100));
  const before = tf.memory();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const img = imageAt(ds.test, i % 100);
    const t0 = performance.now();
    tracer.trace(img);
    if (i < 1000) times.push(performance.now() - t0);
  }
  const after = tf.memory();
  model.dispose();
  return {
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    calls,
    tensorGrowth: after.numTensors - before.numTensors,
    bytesGrowth: after.numBytes - before.numBytes,
  };
}

/** model:predict through web mode's WebSocket, sequential calls. */
export async function measureRoundTrip(calls: number) {
  const userData = mkdtempSync(join(tmpdir(), 'rnn-lens-bench-'));
  const services = new AppServices({
    userData,
    builtinModelDir: builtinModelDir(),
    spawnTrainer: () => forkTrainer(),
    emit: () => {},
    appVersion: 'bench',
    runtime: 'bench',
  });
  await services.init();
  const server = await startWebServer({ root: userData, dispatch: createDispatch(services) });
  const ds = loadDataset(undefined, { trainLimit: 1, testLimit: 100 });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  await new Promise((r) => ws.once('open', r));
  const pending = new Map<number, () => void>();
  ws.on('message', (d) => pending.get((decode(d.toString()) as { id: number }).id)?.());
  const times: number[] = [];
  for (let i = 0; i < calls + 20; i++) {
    const pixels = Array.from(imageAt(ds.test, i % 100));
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      pending.set(i, resolve);
      ws.send(encode({ id: i, channel: 'model:predict', payload: { pixels } }));
    });
    if (i >= 20) times.push(performance.now() - t0);
  }
  ws.close();
  await server.close();
  rmSync(userData, { recursive: true, force: true });
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

/** The built trainer, as the desktop app runs it (from source, tsx's own start-up and memory would be counted too). */
export const BUILT_TRAINER = join(process.cwd(), 'out', 'main', 'trainer.js');
const builtTrainer = () => (existsSync(BUILT_TRAINER) ? BUILT_TRAINER : undefined);

/** The built evaluation thread, as the desktop app starts it; from source only when no build is there. */
const BUILT_EVAL_WORKER = join(process.cwd(), 'out', 'main', 'eval-worker.js');
const evalPoolOptions = () => ({
  dataDir: defaultMnistDir(),
  ...(existsSync(BUILT_EVAL_WORKER) ? { start: (_: string, workerData: unknown) => new Worker(BUILT_EVAL_WORKER, { workerData }) } : {}),
});
/** Whether the evaluation figures came from the built thread. */
export const evalWorkerBuilt = () => existsSync(BUILT_EVAL_WORKER);

/** The trainer's config for a request, as TrainingService builds it. */
const configOf = (req: TrainStartRequest, seed: number) => ({
  cell: req.cell,
  hidden: req.hidden,
  epochs: req.epochs,
  learningRate: req.learningRate,
  batchSize: req.batchSize,
  limit: req.limit,
  seed,
  schedule: req.schedule ?? 'constant',
});

/** Peak resident memory of the trainer process over one epoch. */
export async function measureTrainerRss(samples: number) {
  const child = forkTrainer(builtTrainer());
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // process gone
    }
  };
  const timer = setInterval(sample, 200);
  await new Promise<void>((resolve, reject) => {
    child.onMessage((data) => {
      const m = data as TrainerMessage;
      if (m.type === 'progress' && m.progress.kind === 'batch') sample();
      if (m.type === 'done') {
        sample();
        resolve();
      }
      if (m.type === 'error') reject(new Error(m.error));
    });
    child.postMessage({ type: 'start', job: { config: { ...TUTORIAL_CONFIG, epochs: 1, limit: samples } }, dataDir: defaultMnistDir(), datasetName: 'mnist' });
  });
  clearInterval(timer);
  child.kill();
  return { peakMb: Math.round(peakKb / 1024), samples, built: existsSync(BUILT_TRAINER) };
}

/**
 * Seconds from "Train" (spawning the trainer process) until the test accuracy
 * measured after an epoch first reaches 0.95 and 0.97, for a training request.
 */
export async function measureTta(req: TrainStartRequest, seed: number) {
  const t0 = performance.now();
  const child = forkTrainer(builtTrainer());
  const reached: Record<string, number | null> = { '0.95': null, '0.97': null };
  let epochs = 0;
  await new Promise<void>((resolve, reject) => {
    child.onMessage((data) => {
      const m = data as TrainerMessage;
      if (m.type === 'progress' && m.progress.kind === 'epoch') {
        epochs = m.progress.epoch;
        const sec = +((performance.now() - t0) / 1000).toFixed(1);
        for (const t of Object.keys(reached)) if (reached[t] === null && m.progress.testAccuracy >= Number(t)) reached[t] = sec;
        console.error(`  epoch ${m.progress.epoch}: test acc ${m.progress.testAccuracy.toFixed(4)} at ${sec} s`);
        if (Object.values(reached).every((v) => v !== null)) resolve();
      }
      if (m.type === 'done') resolve();
      if (m.type === 'error') reject(new Error(m.error));
    });
    child.postMessage({ type: 'start', job: { config: configOf(req, seed) }, dataDir: defaultMnistDir(), datasetName: 'mnist' });
  });
  child.kill();
  return { reached, epochs };
}

/**
 * One training run through the services as the app starts it: AppServices with the built trainer
 * forked, `train:start` dispatched, until `train:done`. Returns the seconds from the request to
 * the done event (what a person waits for), the service's own `waitedSec`, the trainer's time,
 * the test accuracy and the main event-loop delay meanwhile.
 */
export async function measureServiceRun(req: TrainStartRequest, userData: string) {
  let finished: (done: Events['train:done'] | null) => void = () => {};
  const done = new Promise<Events['train:done'] | null>((r) => (finished = r));
  let doneAt = 0;
  const services = new AppServices({
    userData,
    builtinModelDir: builtinModelDir(),
    spawnTrainer: () => forkTrainer(builtTrainer()),
    emit: (event, payload) => {
      if (event === 'train:done') {
        doneAt = performance.now();
        finished(payload as Events['train:done']);
      }
      if (event === 'train:error') finished(null);
    },
    appVersion: 'bench',
    runtime: 'bench',
  });
  await services.init();
  const dispatch = createDispatch(services);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = performance.now();
  const started = await dispatch('train:start', req);
  if (!started.ok) throw new Error(`train:start: ${started.error}`);
  const result = await done;
  delay.disable();
  if (!result) throw new Error('the training run failed');
  return {
    clickToDoneSec: (doneAt - t0) / 1000,
    waitedSec: result.waitedSec,
    trainerSec: result.summary.elapsedSec,
    testAccuracy: result.summary.testAccuracy,
    path: result.summary.choice,
    p99Ms: +(delay.percentile(99) / 1e6).toFixed(1),
    maxMs: +(delay.max / 1e6).toFixed(1),
  };
}

/** The main (or web) process's event-loop delay p99 while a training run streams its progress to it, as the app runs it. */
export async function measureTrainingLoopDelay(req: TrainStartRequest, seed: number) {
  const userData = mkdtempSync(join(tmpdir(), 'rnn-lens-bench-'));
  try {
    const r = await measureServiceRun({ ...req, seed }, userData);
    return { p99Ms: r.p99Ms, maxMs: r.maxMs };
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
}

/**
 * Click to done for a preset, through the services as the app starts it, in one user data folder
 * as a person's app has: the first run also times both training paths (no training-paths.json
 * yet); the `runs` after it read the cached choice.
 */
export async function measureClickToDone(req: TrainStartRequest, runs: number) {
  const userData = mkdtempSync(join(tmpdir(), 'rnn-lens-bench-'));
  try {
    const first = await measureServiceRun(req, userData);
    const later = [];
    for (let i = 0; i < runs; i++) later.push(await measureServiceRun(req, userData));
    return { first, later };
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
}

/** PyTorch's time to `target` with a preset's recipe (bench/peer_tta.py), from its process start; null where it stays below. */
export function peerTta(req: TrainStartRequest, seed: number, target: number): { sec: number | null; blas: string; threads: number } | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const args = ['bench/peer_tta.py', '--cell', req.cell, '--hidden', String(req.hidden), '--batch', String(req.batchSize), '--lr', String(req.learningRate)];
  args.push('--schedule', req.schedule ?? 'constant', '--samples', String(req.limit), '--epochs', String(req.epochs), '--seed', String(seed));
  args.push('--target', String(target), '--data', defaultMnistDir());
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { blas: string; threads: number; history: { test_acc: number; seconds: number }[] };
  const hit = j.history.find((h) => h.test_acc >= target);
  return { sec: hit ? hit.seconds : null, blas: j.blas, threads: j.threads };
}

/** Largest absolute difference between the kernels' tanh and Math.tanh on a fine grid. */
export function kernelTanhError(): number {
  const k = new RecurrentKernel(new KernelRuntime(), { cell: 'rnn', hidden: 128, maxBatch: 128 });
  const xs = Float32Array.from({ length: 200_001 }, (_, i) => -12 + (24 * i) / 200_000);
  let worst = 0;
  for (let start = 0; start < xs.length; start += 100_000) {
    const chunk = xs.subarray(start, start + 100_000);
    const ys = k.tanh(chunk);
    for (let i = 0; i < ys.length; i++) worst = Math.max(worst, Math.abs(ys[i] - Math.tanh(chunk[i])));
  }
  return +worst.toExponential(2);
}

/** Resident memory of a process, from /proc (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Web mode as its own process: RSS idle, after the first 1,000 and after all `calls` model:predict over one WebSocket. */
export async function measureServerRss(calls: number) {
  const userData = mkdtempSync(join(tmpdir(), 'rnn-lens-bench-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/node/web/main.ts', '--port', '0', '--no-build', '--user-data', userData], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /RNN Lens: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      proc.once('exit', (code) => reject(new Error(`web mode exited with ${code}`)));
    });
    const { host, searchParams } = new URL(url);
    const ds = loadDataset(undefined, { trainLimit: 1, testLimit: 100 });
    const ws = new WebSocket(`ws://${host}/ws?token=${searchParams.get('token')}`);
    await new Promise((r) => ws.once('open', r));
    const idle = rssMb(proc.pid!);
    let after1000 = NaN;
    for (let i = 0; i < calls; i++) {
      const reply = new Promise((r) => ws.once('message', r));
      ws.send(encode({ id: i, channel: 'model:predict', payload: { pixels: Array.from(imageAt(ds.test, i % 100)) } }));
      await reply;
      if (i === 999) after1000 = rssMb(proc.pid!);
    }
    const end = rssMb(proc.pid!);
    ws.close();
    return { idle, after1000, end, calls };
  } finally {
    proc.kill();
    rmSync(userData, { recursive: true, force: true });
  }
}

/**
 * Evaluation of all 10,000 test digits on the evaluation threads: the first call
 * (cold: starting the threads, reading the test set, building the kernel), then the
 * median and spread of `warm` more, and the caller's event-loop delay p99 over all of them.
 */
export async function measureEvaluation(cell: CellType, warm = 3) {
  await initBackend();
  const model = createModel({ cell, hidden: 128 });
  const pool = new EvalPool(evalPoolOptions());
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const times: number[] = [];
  try {
    delay.enable();
    let t0 = performance.now();
    await classifyOffThread(model, pool);
    const coldMs = performance.now() - t0;
    for (let i = 0; i < warm; i++) {
      t0 = performance.now();
      await classifyOffThread(model, pool);
      times.push(performance.now() - t0);
    }
    delay.disable();
    return {
      coldMs: Math.round(coldMs),
      medianMs: Math.round(percentile(times, 0.5)),
      spreadMs: Math.round(Math.max(...times) - Math.min(...times)),
      loopP99Ms: +(delay.percentile(99) / 1e6).toFixed(1),
      threads: pool.threads,
      warm,
    };
  } finally {
    await pool.close();
    model.dispose();
  }
}

/**
 * The hidden-state map and row importance for one cell at 128 units (the shipped
 * model for SimpleRNN, fresh weights otherwise): tracing the 2,000-digit probe
 * set, the PCA fit, placing one drawing's 28 states, and occlusion of one digit.
 */
export async function measureViz(cell: CellType) {
  await initBackend();
  const ds = loadDataset(undefined, { trainLimit: 1, testLimit: PROBE_DIGITS });
  const model = cell === 'rnn' ? (await loadModelFolder(builtinModelDir())).model : createModel({ cell, hidden: 128 });
  const tracer = new Tracer(model);
  model.dispose();
  let t0 = performance.now();
  const runtime = new KernelRuntime();
  const probe = probeStates(runtime, tracer.snapshot(), ds.test.images, PROBE_DIGITS);
  const probeMs = performance.now() - t0;
  t0 = performance.now();
  const p = pca(probe.finals, PROBE_DIGITS, tracer.hidden, 2);
  const pcaMs = performance.now() - t0;
  const basis = { hidden: tracer.hidden, mean: Float32Array.from(p.mean), axes: Float32Array.from(p.components) };
  const h = tracer.trace(imageAt(ds.test, 0)).h;
  const place: number[] = [];
  for (let i = 0; i < 2000; i++) {
    t0 = performance.now();
    projectStates(basis, h, STEPS);
    place.push(performance.now() - t0);
  }
  t0 = performance.now();
  fitHiddenMap(runtime, tracer.snapshot(), ds.test.images, ds.test.labels, PROBE_DIGITS, cell, 'bench');
  const mapMs = performance.now() - t0;
  const experiments: Record<string, number[]> = {};
  for (const kind of EXPERIMENTS) {
    const times: number[] = (experiments[kind] = []);
    for (let i = 0; i < 40; i++) {
      const img = imageAt(ds.test, i);
      t0 = performance.now();
      runExperiment(tracer, img, { kind, step: 14, seed: i });
      times.push(performance.now() - t0);
    }
  }
  const forward = new BatchForward(runtime, tracer.snapshot(), SIDE + 1);
  const occlusion: number[] = [];
  for (let i = 0; i < 40; i++) {
    const img = imageAt(ds.test, i);
    t0 = performance.now();
    rowImportance(forward, img);
    occlusion.push(performance.now() - t0);
  }
  return {
    probeMs: +probeMs.toFixed(1),
    pcaMs: +pcaMs.toFixed(1),
    mapMs: +mapMs.toFixed(1),
    experimentP95: Math.max(...Object.values(experiments).map((t) => percentile(t, 0.95))),
    placeP50: percentile(place, 0.5),
    occlusionP50: percentile(occlusion, 0.5),
    occlusionP95: percentile(occlusion, 0.95),
  };
}

/**
 * What the memory experiments do to each shipped model: of the first 1,000 test digits, those the
 * model reads right, the share that keep their answer with the change (shuffle seed 1).
 */
export async function measureExperimentEffects() {
  await initBackend();
  const ds = loadDataset(undefined, { trainLimit: 1, testLimit: 1000 });
  const changes = [
    ['no memory', { kind: 'nomemory' }],
    ['rows shuffled', { kind: 'shuffled', seed: 1 }],
    ['read bottom-up', { kind: 'reversed' }],
    ['forget at step 14', { kind: 'forget', step: 14 }],
    ['forget at step 20', { kind: 'forget', step: 20 }],
  ] as const;
  const out: { model: string; change: string; right: number; kept: number }[] = [];
  for (const [name, dir] of Object.entries(builtinModelDirs())) {
    const { model } = await loadModelFolder(dir);
    const tracer = new Tracer(model);
    model.dispose();
    const kept = new Array<number>(changes.length).fill(0);
    let right = 0;
    for (let i = 0; i < 1000; i++) {
      const x = imageAt(ds.test, i);
      const base = tracer.trace(x).prediction;
      if (base !== ds.test.labels[i]) continue;
      right++;
      changes.forEach(([, spec], c) => (kept[c] += runExperiment(tracer, x, spec).trace.prediction === base ? 1 : 0));
    }
    changes.forEach(([change], c) => out.push({ model: name, change, right, kept: +(kept[c] / right).toFixed(3) }));
  }
  return out;
}

/**
 * How well each shipped model's map parts the digits, measured on digits it was not fitted on:
 * the map is fitted on the 2,000 probe digits, test digits 2,000–3,999 are placed by projecting
 * their final states, and each counts as parted when most of its 10 nearest probe digits on the
 * map are of its class. Both projections, and which one the map shows by default.
 */
export async function measureSeparability() {
  await initBackend();
  const ds = loadDataset(undefined, { trainLimit: 1, testLimit: 2 * PROBE_DIGITS });
  const runtime = new KernelRuntime();
  const out: { model: string; cell: CellType; hidden: number; shown: string; lda: number; pca: number }[] = [];
  for (const [name, dir] of Object.entries(builtinModelDirs())) {
    const { model, manifest } = await loadModelFolder(dir);
    const tracer = new Tracer(model);
    model.dispose();
    const H = tracer.hidden;
    const map = fitHiddenMap(runtime, tracer.snapshot(), ds.test.images, ds.test.labels, PROBE_DIGITS, name, 'bench');
    const held = probeStates(runtime, tracer.snapshot(), ds.test.images.subarray(PROBE_DIGITS * 784), PROBE_DIGITS, 0).finals;
    const heldLabels = ds.test.labels.subarray(PROBE_DIGITS, 2 * PROBE_DIGITS);
    const acc = (m: typeof map | typeof map.other) =>
      knnAccuracy(m.landmarks, map.labels, PROBE_DIGITS, projectStates(m, held, PROBE_DIGITS), heldLabels, PROBE_DIGITS);
    const byKind = { [map.kind]: acc(map), [map.other.kind]: acc(map.other) } as Record<'lda' | 'pca', number>;
    out.push({ model: name, cell: manifest!.cell, hidden: H, shown: map.kind, lda: +byKind.lda.toFixed(3), pca: +byKind.pca.toFixed(3) });
  }
  return out;
}

/**
 * The verdict of each shipped model (engine/inference/verdict.ts): the share of the 10,000 test
 * digits and of the repository's non-digit set called digits, the AUROC of its distance
 * between them, its calibration error before and after temperature scaling, how long fitting
 * its statistics takes, and what it adds to a prediction.
 */
/** Seeds of the non-digit sets drawn beside the committed one (seed NONDIGIT_SEED). */
const OTHER_SEEDS = [7, 99];

export async function measureVerdict() {
  await initBackend();
  const ds = loadDataset(undefined, { trainLimit: VERDICT_DIGITS.fit + VERDICT_DIGITS.held });
  // One thread, as the visualisation worker that fits the statistics in the app runs.
  const runtime = new KernelRuntime({ threads: 1 });
  const bytes = readFileSync(join(process.cwd(), 'test', 'data', 'nondigits', 'nondigits.bin'));
  const nonDigits = bytes.length / 784;
  const kinds: string[] = JSON.parse(readFileSync(join(process.cwd(), 'test', 'data', 'nondigits', 'nondigits.json'), 'utf8')).kinds;
  const out: Record<string, number | string>[] = [];
  // The ink's statistics, the same for every model: fitted once per app (the worker keeps them). Three fits, as below.
  const inks = Array.from({ length: 3 }, () => fitInkOn(ds.train.images, ds.train.labels));
  const ink = inks[0];
  for (const [name, dir] of Object.entries(builtinModelDirs())) {
    const { model } = await loadModelFolder(dir);
    const tracer = new Tracer(model);
    model.dispose();
    // Three fits of the version's own statistics: the first in a fresh process pays for compiling the code too; the figure is their median.
    const fits = Array.from({ length: 3 }, () => {
      const t0 = performance.now();
      const stats = fitVerdictOn(runtime, tracer.snapshot(), ds.train.images, ds.train.labels, {}, ink);
      return { stats, ms: performance.now() - t0 };
    });
    const stats = fits[0].stats;
    // What the strokes add: the same verdict with the state's density alone.
    const alone = fitVerdictOn(runtime, tracer.snapshot(), ds.train.images, ds.train.labels, { stateOnly: true }, ink);
    const judge = (x: Float32Array) => {
      const t = tracer.trace(x);
      const v0 = performance.now();
      const v = verdictOf(stats, traceFeatures(stats, t.h), 0, t.probs, x);
      const ms = performance.now() - v0;
      return { v, ms, alone: verdictOf(alone, traceFeatures(alone, t.h), 0, t.probs, x) };
    };
    const digits = Array.from({ length: ds.test.labels.length }, (_, i) => judge(imageAt(ds.test, i)));
    const non = Array.from({ length: nonDigits }, (_, i) => judge(Float32Array.from(bytes.subarray(i * 784, (i + 1) * 784), (b) => b / 255)));
    const share = (list: typeof digits, key: 'v' | 'alone') => +(list.filter((d) => d[key].kind !== 'not-a-digit').length / list.length).toFixed(3);
    // The same kinds drawn from other seeds: is what the committed set shows a property of its particular drawings?
    const others = OTHER_SEEDS.map((seed) => {
      const set = build(seed).bytes;
      return `${seed}: ${share(
        Array.from({ length: set.length / 784 }, (_, i) => judge(Float32Array.from(set.subarray(i * 784, (i + 1) * 784), (b) => b / 255))),
        'v',
      )}`;
    }).join(', ');
    let auc = 0;
    for (const a of non) for (const b of digits) auc += a.v.distance > b.v.distance ? 1 : a.v.distance === b.v.distance ? 0.5 : 0;
    out.push({
      model: name,
      digitsAccepted: share(digits, 'v'),
      nonDigitsAccepted: share(non, 'v'),
      nonDigitsAcceptedOtherSeeds: others,
      stateAloneDigitsAccepted: share(digits, 'alone'),
      stateAloneNonDigitsAccepted: share(non, 'alone'),
      // Which drawings are still let through, by kind.
      nonDigitsLetThrough: JSON.stringify(
        non.reduce<Record<string, number>>((acc, d, i) => (d.v.kind === 'not-a-digit' ? acc : { ...acc, [kinds[i]]: (acc[kinds[i]] ?? 0) + 1 }), {}),
      ),
      auroc: +(auc / (digits.length * non.length)).toFixed(3),
      eceBefore: +stats.measured.eceBefore.toFixed(4),
      eceAfter: +stats.measured.eceAfter.toFixed(4),
      temperature: +stats.temperature.toFixed(3),
      fitMs: Math.round(
        percentile(
          fits.map((f) => f.ms),
          0.5,
        ),
      ),
      fitFirstMs: Math.round(fits[0].ms),
      inkFitMs: Math.round(
        percentile(
          inks.map((f) => f.fitMs),
          0.5,
        ),
      ),
      inkFitFirstMs: Math.round(inks[0].fitMs),
      verdictMsP50: percentile(
        digits.map((d) => d.ms),
        0.5,
      ),
      verdictMsP95: percentile(
        digits.map((d) => d.ms),
        0.95,
      ),
    });
  }
  return out;
}
