/**
 * A worker thread for the visualisation's heavier work (fitting a hidden-state
 * map, occlusion), so the main event loop keeps answering strokes. Started on
 * first use; requests queue on the thread and are answered by id.
 */
import type { Worker } from 'node:worker_threads';
import type { HiddenMap } from '../../../shared/projection';
import { startWorker } from '../threads';
import type { TracerWeights } from '../trace';
import type { RowImportance } from './occlusion';

export type VizRequest =
  | { id: number; kind: 'map'; model: TracerWeights; modelId: string; key: string; dataDir: string; probe: number }
  | { id: number; kind: 'importance'; model: TracerWeights; key: string; pixels: Float32Array };

export type VizReply = { id: number; ok: true; value: HiddenMap | RowImportance } | { id: number; ok: false; error: string };

type Body<R> = R extends unknown ? Omit<R, 'id'> : never;

export class VizWorker {
  #worker: Worker | null = null;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: HiddenMap | RowImportance) => void; reject: (e: Error) => void }>();

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = startWorker('viz-worker', null);
    w.on('message', (r: VizReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    const fail = (err: Error) => {
      if (this.#worker !== w) return;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      this.#worker = null;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the visualisation worker stopped (exit code ${code})`)));
    w.unref();
    this.#worker = w;
    return w;
  }

  #call<T extends HiddenMap | RowImportance>(body: Body<VizRequest>): Promise<T> {
    const w = this.#start();
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: HiddenMap | RowImportance) => void, reject });
      w.postMessage({ ...body, id });
    });
  }

  fitMap(model: TracerWeights, modelId: string, key: string, dataDir: string, probe: number): Promise<HiddenMap> {
    return this.#call<HiddenMap>({ kind: 'map', model, modelId, key, dataDir, probe });
  }

  /** Row importance; `key` names the weights, so the worker reuses its kernel while it stays the same. */
  importance(model: TracerWeights, key: string, pixels: Float32Array): Promise<RowImportance> {
    return this.#call<RowImportance>({ kind: 'importance', model, key, pixels });
  }

  /** Stop the thread; pending requests fail. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    for (const p of this.#pending.values()) p.reject(new Error('the visualisation worker was closed'));
    this.#pending.clear();
    if (w) await w.terminate();
  }
}
