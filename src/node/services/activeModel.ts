/** The model main is serving: loaded from the store at start, swapped when a run ends or a version is activated or imported. */
import type * as tf from '@tensorflow/tfjs';
import type { ActiveModel, Events, Prediction } from '../../shared/contract';
import type { ModelManifest, ModelVersion, TraceResult } from '../../shared/types';
import { isBuiltinId, type ModelStore } from '../engine/model/store';
import { Tracer } from '../engine/inference/trace';
import { CodedError } from '../../shared/errors';
import { Tracing } from './tracing';
import type { VerdictService } from './verdicts';

/** A loaded model with its tracer. */
export interface Active {
  id: string;
  /** The version id and a fingerprint of its weights: what derived data (maps, a worker's copy) is keyed by. */
  key: string;
  model: tf.LayersModel;
  tracer: Tracer;
  manifest: ModelManifest;
}

/** A key for derived data of a version: its id and a fingerprint of its weights. */
export function versionKey(id: string, manifest: ModelManifest): string {
  const sha = manifest.files['weights.bin']?.sha256 ?? manifest.createdAt.replace(/\W/g, '');
  return `${id}-${sha.slice(0, 16)}`;
}

export class ActiveModelService {
  #active: Active | null = null;

  constructor(
    private readonly store: ModelStore,
    private readonly emit: <E extends keyof Events>(event: E, payload: Events[E]) => void,
    /** Where traces of a large model run (a worker thread), so they never hold this event loop. */
    readonly tracing = new Tracing(),
  ) {}

  /** Load the active version; returns notices for the status bar (damaged versions moved aside, no model yet). */
  async init(): Promise<string[]> {
    if (!this.store.activeId()) return ['No trained model yet: train one from the Train panel to start predicting.'];
    const loaded = await this.store.load();
    this.#swap(loaded.id, loaded.model, loaded.manifest);
    return loaded.quarantined.map((q) => `Model ${q.id} was damaged and has been moved aside (${q.reason}); using ${loaded.id} instead.`);
  }

  #swap(id: string, model: tf.LayersModel, manifest: ModelManifest): void {
    const old = this.#active;
    this.#active = { id, key: versionKey(id, manifest), model, tracer: new Tracer(model), manifest };
    if (old && old.model !== model) old.model.dispose();
    this.emit('models:changed', { active: this.summary() });
  }

  /** Load a stored version and serve it. */
  async adopt(id: string): Promise<void> {
    const { model, manifest } = await this.store.loadVersion(id);
    this.#swap(id, model, manifest);
  }

  /** Make a version active in the store and serve it. */
  async activate(id: string): Promise<ModelVersion> {
    const { version, model } = await this.store.activate(id);
    this.#swap(id, model, version.manifest);
    return version;
  }

  get current(): Active | null {
    return this.#active;
  }

  require(): Active {
    if (!this.#active) throw new CodedError('noModel', 'no model is loaded yet: train one first');
    return this.#active;
  }

  summary(): ActiveModel | null {
    const a = this.#active;
    if (!a) return null;
    const m = a.manifest;
    return { id: a.id, cell: m.cell, hidden: m.hidden, testAccuracy: m.testAccuracy, createdAt: m.createdAt, builtin: isBuiltinId(a.id) };
  }

  /** The trace of an input, with its verdict once the version's statistics are fitted (see verdicts.ts). */
  async trace(pixels: ArrayLike<number>, signal?: AbortSignal): Promise<TraceResult> {
    const a = this.require();
    const trace = await this.tracing.trace(a.tracer, a.key, pixels, signal);
    return this.verdicts ? this.verdicts.judge(a.key, a.tracer, trace, pixels) : trace;
  }

  /** Where verdicts come from (set once the services are wired); without it, traces carry none. */
  verdicts: VerdictService | null = null;

  async predict(pixels: ArrayLike<number>, signal?: AbortSignal): Promise<Prediction> {
    const r = await this.trace(pixels, signal);
    return { probs: Array.from(r.probs), prediction: r.prediction, ...(r.verdict ? { verdict: r.verdict } : {}) };
  }
}
