/**
 * The visualisation's heavier answers: the hidden-state map of a version
 * (fitted once per version on the worker thread, cached in the user data
 * folder), row importance of a drawing, and the trace of any version for the
 * side-by-side view.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellTerms } from '../../shared/contract';
import type { HiddenMap } from '../../shared/projection';
import type { ModelManifest, TraceResult } from '../../shared/types';
import { decode, encode } from '../../shared/wire';
import type { ModelStore } from '../engine/store';
import { Tracer } from '../engine/trace';
import type { RowImportance } from '../engine/viz/occlusion';
import { PROBE_DIGITS } from '../engine/viz/hiddenMap';
import { VizWorker } from '../engine/viz/vizWorker';
import type { ActiveModelService } from './activeModel';

/** Bumped when the map's content changes, so older cache files are refitted. */
const MAP_FORMAT = 1;
/** Versions other than the active one kept loaded for the side-by-side view. */
const KEEP_TRACERS = 4;

export class VizService {
  readonly worker = new VizWorker();
  readonly #maps = new Map<string, Promise<HiddenMap>>();
  readonly #tracers = new Map<string, Promise<{ tracer: Tracer; manifest: ModelManifest }>>();

  constructor(
    private readonly store: ModelStore,
    private readonly active: ActiveModelService,
    private readonly dataDir: string,
    /** Folder for cached maps (in the user data folder: the built-in model's folder is read-only). */
    private readonly cacheDir: string,
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

  /** A fingerprint of a version's weights. */
  static key(id: string, manifest: ModelManifest): string {
    const sha = manifest.files['weights.bin']?.sha256 ?? manifest.createdAt.replace(/\W/g, '');
    return `${id}-${sha.slice(0, 16)}-m${MAP_FORMAT}`;
  }

  /** The hidden-state map of a version (default: the active one). */
  async map(id?: string): Promise<HiddenMap> {
    const v = await this.#version(id);
    const key = VizService.key(v.id, v.manifest);
    let p = this.#maps.get(key);
    if (!p) {
      p = this.#loadOrFit(v.id, key, v.tracer);
      this.#maps.set(key, p);
      p.catch(() => this.#maps.delete(key));
    }
    return p;
  }

  async #loadOrFit(id: string, key: string, tracer: Tracer): Promise<HiddenMap> {
    const file = join(this.cacheDir, `${key}.json`);
    if (existsSync(file)) {
      try {
        const m = decode(readFileSync(file, 'utf8')) as HiddenMap;
        if (m.key === key && m.mean instanceof Float32Array && m.mean.length === tracer.hidden) return m;
      } catch {
        // A damaged cache file is refitted below.
      }
    }
    const m = await this.worker.fitMap(tracer.snapshot(), id, key, this.dataDir, PROBE_DIGITS);
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      writeFileSync(`${file}.tmp`, encode(m));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The map still serves from memory when the cache cannot be written.
    }
    return m;
  }

  /** Row importance of an input for the active model. */
  async importance(pixels: ArrayLike<number>): Promise<RowImportance> {
    const a = this.active.require();
    return this.worker.importance(a.tracer.snapshot(), VizService.key(a.id, a.manifest), Float32Array.from(pixels));
  }

  /** The trace of an input under any version. */
  async trace(id: string, pixels: ArrayLike<number>): Promise<TraceResult> {
    return (await this.#version(id)).tracer.trace(pixels);
  }

  /** Each step's input and recurrent terms under the active model (about one trace's work). */
  terms(pixels: ArrayLike<number>): CellTerms {
    return this.active.require().tracer.terms(pixels);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
