/**
 * Each version's verdict statistics (engine/inference/verdict.ts): fitted once on the
 * visualisation worker from training digits, cached in the user data folder beside the
 * version's maps (so a deleted version's go with them), and kept in memory for the few
 * versions in use. The first trace of a version starts the fit and waits a moment for it;
 * traces while it is still being fitted go out without a verdict (the page asks again).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceResult } from '../../shared/types';
import { decode, encode } from '../../shared/wire';
import type { Tracer } from '../engine/inference/trace';
import { traceFeatures, VERDICT_FORMAT, verdictOf, type VerdictStats } from '../engine/inference/verdict';
import type { VizWorker } from '../engine/viz/vizWorker';

/** Versions whose statistics are kept in memory. */
const KEEP = 4;
/** How long a trace waits for statistics still being fitted before it goes out without a verdict. */
export const VERDICT_WAIT_MS = 250;

export class VerdictService {
  readonly #stats = new Map<string, Promise<VerdictStats>>();
  readonly #ready = new Map<string, VerdictStats>();

  constructor(
    private readonly worker: VizWorker,
    private readonly dataDir: string,
    /** The folder of cached maps: a version's files there are named by its key. */
    private readonly cacheDir: string,
  ) {}

  /** The statistics of a version (by its key), loaded from the cache or fitted on the worker. */
  stats(key: string, tracer: Tracer): Promise<VerdictStats> {
    let p = this.#stats.get(key);
    if (!p) {
      p = this.#loadOrFit(key, tracer).then((s) => {
        this.#ready.set(key, s);
        return s;
      });
      p.catch(() => this.#stats.get(key) === p && this.#stats.delete(key));
      this.#stats.set(key, p);
      while (this.#stats.size > KEEP) {
        const oldest = this.#stats.keys().next().value!;
        this.#stats.delete(oldest);
        this.#ready.delete(oldest);
      }
    }
    return p;
  }

  async #loadOrFit(key: string, tracer: Tracer): Promise<VerdictStats> {
    const file = join(this.cacheDir, `${key}-verdict${VERDICT_FORMAT}.json`);
    if (existsSync(file)) {
      try {
        const s = decode(readFileSync(file, 'utf8')) as VerdictStats;
        if (s.format === VERDICT_FORMAT && s.hidden === tracer.hidden && s.mean instanceof Float32Array) return s;
      } catch {
        // A damaged cache file is refitted below.
      }
    }
    const s = await this.worker.run(tracer, key, { kind: 'verdict', dataDir: this.dataDir });
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      writeFileSync(`${file}.tmp`, encode(s));
      renameSync(`${file}.tmp`, file);
    } catch {
      // Still served from memory when the cache cannot be written.
    }
    return s;
  }

  /**
   * The trace with its verdict, if the version's statistics are ready, or, for the trace that
   * starts their fit or load, become ready within VERDICT_WAIT_MS.
   */
  async judge(key: string, tracer: Tracer, trace: TraceResult, pixels: ArrayLike<number>): Promise<TraceResult> {
    let stats = this.#ready.get(key) ?? null;
    if (!stats) {
      // Only the trace that starts the fit waits: a large model's fit takes minutes, and its
      // traces meanwhile must not each wait in vain.
      const first = !this.#stats.has(key);
      const pending = this.stats(key, tracer).catch(() => null);
      if (first) stats = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), VERDICT_WAIT_MS).unref())]);
    }
    if (!stats) return trace;
    return { ...trace, verdict: verdictOf(stats, traceFeatures(stats, trace.h), 0, trace.probs, pixels) };
  }
}
