/**
 * The throughput protocol: how a ratio against PyTorch is measured so that a busy machine cannot
 * inflate it.
 *
 * - A **round** is, for one cell: fresh processes that alternate between the two sides at each
 *   thread count (ours at 1 thread, PyTorch at 1, ours at 2, PyTorch at 2), with a short CPU
 *   calibration loop before, between and after them. Each round gives one ratio per thread count.
 * - A round is **disturbed** when its calibrations moved by more than 10% within the round,
 *   when one of them is more than 10% slower than the fastest calibration of the cell, or when
 *   a side's figure at more threads is below its own figure at fewer threads (PyTorch's OpenMP
 *   threads collapse when anything else runs on the cores). Disturbed rounds are kept in
 *   the record and run again, until the wanted number of undisturbed rounds is reached or the
 *   attempts run out.
 * - Each figure is the **median over the undisturbed rounds, with its range**; the ratio is
 *   the median of the per-round ratios, each taken within one round.
 *
 * Everything here but the calibration loop and /proc/cpuinfo is pure, so it is unit tested
 * (test/bench/protocol.test.ts); bench/run.ts supplies the processes.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { stat, type Stat } from './stats';

/** Relative change that marks a round as disturbed. */
export const TOLERANCE = 0.1;

/** Rounds per cell, at least, for a figure that may be quoted. */
export const MIN_ROUNDS = 5;

/** Attempts per wanted round before the protocol gives up on a cell. */
export const ATTEMPTS_PER_ROUND = 3;

/** Samples per second at each thread count (keys are thread counts). */
export type PerThreads = Record<number, number>;

/** What one round measured. */
export interface RawRound {
  /** The calibration loop before, between and after the round's processes, in ms (lower is faster). */
  calibrationMs: number[];
  ours: PerThreads;
  /** Null when no fair peer is available: the round then has no ratio. */
  peer: PerThreads | null;
  /** The kernel build our processes ran (relaxed or plain SIMD). */
  kernel: string;
}

/** A round with its verdict. */
export interface Round extends RawRound {
  /** 1-based, in the order they ran. */
  index: number;
  /** Why the round does not count; empty when it does. */
  disturbed: string[];
}

/** Median and range of the undisturbed rounds at one thread count. */
export interface ThreadSummary {
  threads: number;
  ours: Stat;
  peer: Stat | null;
  /** ours / peer, median and range of the per-round ratios. */
  ratio: Stat | null;
}

/** The outcome for one cell. */
export interface CellResult {
  /** True when the wanted number of undisturbed rounds was reached. */
  complete: boolean;
  wanted: number;
  summary: ThreadSummary[];
  /** Every round, the disturbed ones included. */
  rounds: Round[];
}

/**
 * Why a round is disturbed (empty: it is not). `fastestMs` is the fastest calibration of all
 * the cell's rounds so far, this one included.
 */
export function disturbances(r: RawRound, fastestMs: number, tolerance = TOLERANCE): string[] {
  const why: string[] = [];
  const [quickest, slowest] = [Math.min(...r.calibrationMs), Math.max(...r.calibrationMs)];
  if (slowest / quickest - 1 > tolerance)
    why.push(`calibration moved ${pct(slowest / quickest - 1)} within the round (${quickest.toFixed(1)} to ${slowest.toFixed(1)} ms)`);
  else if (slowest > fastestMs * (1 + tolerance)) why.push(`calibration ${pct(slowest / fastestMs - 1)} slower than the fastest (${fastestMs.toFixed(1)} ms)`);
  for (const [side, figures] of [
    ['ours', r.ours],
    ['peer', r.peer],
  ] as const) {
    if (!figures) continue;
    const threads = Object.keys(figures)
      .map(Number)
      .sort((a, b) => a - b);
    for (let i = 1; i < threads.length; i++) {
      const [fewer, more] = [threads[i - 1], threads[i]];
      if (figures[more] < figures[fewer]) why.push(`${side}: ${more} threads (${Math.round(figures[more])}) below ${fewer} (${Math.round(figures[fewer])})`);
    }
  }
  return why;
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** Judge every round against the fastest calibration among them (a later, faster one can overturn an earlier verdict). */
export function judge(raws: RawRound[], tolerance = TOLERANCE): Round[] {
  const fastest = Math.min(...raws.flatMap((r) => r.calibrationMs));
  return raws.map((r, i) => ({ ...r, index: i + 1, disturbed: disturbances(r, fastest, tolerance) }));
}

/** Median and range per thread count over the rounds that count. */
export function summarise(rounds: Round[], threads: number[]): ThreadSummary[] {
  const ok = rounds.filter((r) => !r.disturbed.length);
  if (!ok.length) return [];
  return threads.map((t) => {
    const withPeer = ok.filter((r) => r.peer);
    return {
      threads: t,
      ours: stat(ok.map((r) => r.ours[t])),
      peer: withPeer.length ? stat(withPeer.map((r) => r.peer![t])) : null,
      ratio: withPeer.length ? stat(withPeer.map((r) => r.ours[t] / r.peer![t])) : null,
    };
  });
}

/**
 * Run rounds (through `measure`) until `wanted` of them are undisturbed or `wanted ×
 * ATTEMPTS_PER_ROUND` have run; every round is re-judged after each new one.
 */
export async function runRounds(opts: {
  wanted: number;
  threads: number[];
  measure: (attempt: number) => Promise<RawRound> | RawRound;
  maxAttempts?: number;
  tolerance?: number;
  /** Told about each round as it is judged. */
  onRound?: (r: Round) => void;
}): Promise<CellResult> {
  const maxAttempts = opts.maxAttempts ?? opts.wanted * ATTEMPTS_PER_ROUND;
  const raws: RawRound[] = [];
  let rounds: Round[] = [];
  const counted = () => rounds.filter((r) => !r.disturbed.length).length;
  while (counted() < opts.wanted && raws.length < maxAttempts) {
    raws.push(await opts.measure(raws.length + 1));
    rounds = judge(raws, opts.tolerance);
    opts.onRound?.(rounds[rounds.length - 1]);
  }
  return { complete: counted() >= opts.wanted, wanted: opts.wanted, summary: summarise(rounds, opts.threads), rounds };
}

/** The CPU as /proc/cpuinfo names it, and the vector features that decide native BLAS speed. */
export interface CpuInfo {
  model: string;
  /**
   * Vendor, family, model and stepping as numbered there ("AuthenticAMD 25/17/1"), or null: a
   * shared host's model name ("AMD EPYC") can hide which generation it is, and they train at
   * different speeds.
   */
  generation: string | null;
  avx2: boolean;
  /** AVX-512 Foundation (avx512f). */
  avx512: boolean;
  fma: boolean;
  /** Every AVX, AVX-512 and FMA flag, as listed. */
  vectorFlags: string[];
}

/** Parse the first processor's model name and flags from /proc/cpuinfo text. */
export function parseCpuinfo(text: string): CpuInfo {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1].trim();
  const flags = (field('flags') ?? field('Features') ?? '').split(/\s+/).filter(Boolean);
  const has = (f: string) => flags.includes(f);
  const numbered = [field('cpu family'), field('model'), field('stepping')];
  return {
    model: field('model name') ?? field('Model') ?? 'unknown',
    generation: numbered.every((v) => v !== undefined) ? `${field('vendor_id') ?? 'unknown'} ${numbered.join('/')}` : null,
    avx2: has('avx2'),
    avx512: has('avx512f'),
    fma: has('fma'),
    vectorFlags: flags.filter((f) => /^(avx|fma)/.test(f)),
  };
}

/** This machine's CPU (Linux); the model alone elsewhere. */
export function cpuInfo(fallbackModel: string): CpuInfo {
  try {
    return parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return { model: fallbackModel, generation: null, avx2: false, avx512: false, fma: false, vectorFlags: [] };
  }
}

/** Iterations of the calibration loop: about 0.1 s on one core of a 2020s x86 server. */
export const CALIBRATION_ITERATIONS = 15_000_000;

const CALIBRATION_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let x = 1;
const t0 = performance.now();
for (let i = 0; i < workerData; i++) x = x * 0.9999999 + 1e-7;
parentPort.postMessage([performance.now() - t0, x]);
`;

/**
 * A fixed arithmetic loop on `threads` threads at once, in ms: the slowest thread. Run on as
 * many threads as a round uses, so that anything else on any of those cores slows it.
 */
export async function calibrate(threads: number, iterations = CALIBRATION_ITERATIONS): Promise<number> {
  const times = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(CALIBRATION_SOURCE, { eval: true, workerData: iterations });
          w.once('message', ([ms]: [number, number]) => {
            resolve(ms);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return +Math.max(...times).toFixed(2);
}
