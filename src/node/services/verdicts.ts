/**
 * Each version's verdict statistics (engine/inference/verdict.ts): fitted once on the
 * visualisation worker from training digits, cached in the user data folder beside the
 * version's maps (so a deleted version's go with them), and kept in memory for the few
 * versions in use. The ink's statistics, the same for every version, are fitted once and
 * cached beside them. The first trace of a version starts the fit and waits a moment for it;
 * traces while it is still being fitted go out without a verdict (the page asks again).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceResult } from '../../shared/types';
import { decode, encode } from '../../shared/wire';
import type { Tracer } from '../engine/inference/trace';
import { traceFeatures, VERDICT_DIGITS, VERDICT_FORMAT, verdictOf, verdictStatsProblem, type VerdictStats } from '../engine/inference/verdict';
import { inkStatsProblem, type InkStats } from '../engine/inference/inkStats';
import type { VizWorker } from '../engine/viz/vizWorker';

/** A version's statistics as its cache file keeps them: the strokes' density named, not copied. */
type StoredStats = Omit<VerdictStats, 'strokes'> & { strokes: 'ink' | null };

/** Versions whose statistics are kept in memory. */
const KEEP = 4;
/** How long a trace waits for statistics still being fitted before it goes out without a verdict. */
export const VERDICT_WAIT_MS = 250;

export class VerdictService {
  readonly #stats = new Map<string, Promise<VerdictStats>>();
  readonly #ready = new Map<string, VerdictStats>();
  #ink: Promise<InkStats> | null = null;

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
    const ink = await this.#inkStats(key, tracer);
    // A version's file leaves out the strokes' density (the ink's, cached once) and takes it back on reading.
    const cached = this.#read<StoredStats>(file, (s) => (s.strokes === 'ink' || s.strokes === null) && !verdictStatsProblem(s, tracer.hidden, tracer.steps));
    if (cached) return { ...cached, strokes: cached.strokes && ink.strokes };
    const s = await this.worker.run(tracer, key, { kind: 'verdict', dataDir: this.dataDir, ink });
    this.#write(file, { ...s, strokes: s.strokes && 'ink' } satisfies StoredStats);
    return s;
  }

  /**
   * The ink's statistics, the same for every version: read from the cache or fitted on the worker
   * once, then kept. A failed fit is asked for again by the next version that needs it.
   */
  #inkStats(key: string, tracer: Tracer): Promise<InkStats> {
    if (!this.#ink) {
      const file = join(this.cacheDir, `ink-verdict${VERDICT_FORMAT}.json`);
      const cached = this.#read<InkStats>(file, (s) => !inkStatsProblem(s, VERDICT_DIGITS.fit, VERDICT_DIGITS.held));
      const p = cached
        ? Promise.resolve(cached)
        : this.worker.run(tracer, key, { kind: 'ink', dataDir: this.dataDir }).then((s) => {
            this.#write(file, s);
            return s;
          });
      p.catch(() => this.#ink === p && (this.#ink = null));
      this.#ink = p;
    }
    return this.#ink;
  }

  /** A cache file's contents when it decodes and passes `ok`; null when absent or damaged (then refitted). */
  #read<T>(file: string, ok: (value: T) => boolean): T | null {
    if (!existsSync(file)) return null;
    try {
      const value = decode(readFileSync(file, 'utf8')) as T;
      return ok(value) ? value : null;
    } catch {
      return null;
    }
  }

  /** Write a cache file whole (through a temporary name); when it cannot be written, the value is still served from memory. */
  #write(file: string, value: unknown): void {
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      writeFileSync(`${file}.tmp`, encode(value));
      renameSync(`${file}.tmp`, file);
    } catch {
      // Served from memory.
    }
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
