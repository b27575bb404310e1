/**
 * The visualisation's heavier answers: the hidden-state map of a version
 * (fitted once per version on the worker thread, cached in the user data
 * folder), row importance of a drawing, and the trace of any version for the
 * side-by-side view. Maps in memory are bounded; a deleted version's maps go with it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellTerms, ExperimentResult, ExperimentSpec } from '../../shared/contract';
import type { HiddenMap } from '../../shared/projection';
import type { ModelManifest, TraceResult } from '../../shared/types';
import { decode, encode } from '../../shared/wire';
import type { ModelStore } from '../engine/model/store';
import { Tracer } from '../engine/inference/trace';
import type { RowImportance } from '../engine/viz/occlusion';
import { PROBE_DIGITS } from '../engine/viz/hiddenMap';
import { VizWorker } from '../engine/viz/vizWorker';
import { versionKey, type ActiveModelService } from './activeModel';

/** Bumped when the map's content changes, so older cache files are refitted. */
const MAP_FORMAT = 2;
/** Versions other than the active one kept loaded for the side-by-side view. */
const KEEP_TRACERS = 4;
/** Maps kept in memory (the active version's and those the comparison shows). */
export const KEEP_MAPS = 6;

export class VizService {
  readonly #maps = new Map<string, Promise<HiddenMap>>();
  readonly #tracers = new Map<string, Promise<{ tracer: Tracer; manifest: ModelManifest }>>();

  constructor(
    private readonly store: ModelStore,
    private readonly active: ActiveModelService,
    private readonly dataDir: string,
    /** Folder for cached maps (in the user data folder: the built-in model's folder is read-only). */
    private readonly cacheDir: string,
    readonly worker = new VizWorker(),
  ) {}

  /** The tracer and manifest of a version: the active one as served, others loaded once through the store's checks. */
  async #version(id: string | undefined): Promise<{ id: string; tracer: Tracer; manifest: ModelManifest }> {
    const a = this.active.require();
    if (id === undefined || id === a.id) return { id: a.id, tracer: a.tracer, manifest: a.manifest };
    let p = this.#tracers.get(id);
    if (!p) {
      p = this.store.loadVersion(id).then(({ model, manifest }) => {
        const tracer = new Tracer(model);
        model.dispose();
        return { tracer, manifest };
      });
      this.#tracers.set(id, p);
      p.catch(() => this.#tracers.delete(id));
      while (this.#tracers.size > KEEP_TRACERS) this.#tracers.delete(this.#tracers.keys().next().value!);
    }
    return { id, ...(await p) };
  }

  /** The key of a version's map: its weights' fingerprint and the map format. */
  static key(id: string, manifest: ModelManifest): string {
    return `${versionKey(id, manifest)}-m${MAP_FORMAT}`;
  }

  /** The hidden-state map of a version (default: the active one). */
  async map(id?: string, signal?: AbortSignal): Promise<HiddenMap> {
    const v = await this.#version(id);
    const key = VizService.key(v.id, v.manifest);
    let p = this.#maps.get(key);
    if (p) {
      // Most recently used last, so the oldest is pruned first.
      this.#maps.delete(key);
    } else {
      p = this.#loadOrFit(v.id, key, v.tracer, signal);
      p.catch(() => this.#maps.get(key) === p && this.#maps.delete(key));
    }
    this.#maps.set(key, p);
    while (this.#maps.size > KEEP_MAPS) this.#maps.delete(this.#maps.keys().next().value!);
    return p;
  }

  async #loadOrFit(id: string, key: string, tracer: Tracer, signal?: AbortSignal): Promise<HiddenMap> {
    const file = join(this.cacheDir, `${key}.json`);
    if (existsSync(file)) {
      try {
        const m = decode(readFileSync(file, 'utf8')) as HiddenMap;
        if (m.key === key && m.mean instanceof Float32Array && m.mean.length === tracer.hidden) return m;
      } catch {
        // A damaged cache file is refitted below.
      }
    }
    const m = await this.worker.fitMap(tracer, id, key, this.dataDir, PROBE_DIGITS, signal);
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      writeFileSync(`${file}.tmp`, encode(m));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The map still serves from memory when the cache cannot be written.
    }
    return m;
  }

  /** Drop what was derived from a deleted version: its maps in memory and on disk, its loaded tracer. */
  forget(id: string): void {
    for (const key of [...this.#maps.keys()]) if (key.startsWith(`${id}-`)) this.#maps.delete(key);
    this.#tracers.delete(id);
    let names: string[] = [];
    try {
      names = readdirSync(this.cacheDir);
    } catch {
      return;
    }
    for (const n of names) if (n.startsWith(`${id}-`)) rmSync(join(this.cacheDir, n), { force: true });
  }

  /** Row importance of an input for the active model. */
  async importance(pixels: ArrayLike<number>, signal?: AbortSignal): Promise<RowImportance> {
    const a = this.active.require();
    return this.worker.importance(a.tracer, VizService.key(a.id, a.manifest), Float32Array.from(pixels), signal);
  }

  /** The trace of an input under any version. */
  async trace(id: string, pixels: ArrayLike<number>, signal?: AbortSignal): Promise<TraceResult> {
    const v = await this.#version(id);
    return this.active.tracing.trace(v.tracer, versionKey(v.id, v.manifest), pixels, signal);
  }

  /** Each step's input and recurrent terms under the active model (about one trace's work). */
  terms(pixels: ArrayLike<number>, signal?: AbortSignal): CellTerms | Promise<CellTerms> {
    const a = this.active.require();
    return this.active.tracing.terms(a.tracer, a.key, pixels, signal);
  }

  /** A memory experiment on an input under the active model. */
  experiment(pixels: ArrayLike<number>, spec: ExperimentSpec, signal?: AbortSignal): ExperimentResult | Promise<ExperimentResult> {
    const a = this.active.require();
    return this.active.tracing.experiment(a.tracer, a.key, pixels, spec, signal);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
