/** The test set: its size, digits by index for galleries, and evaluation of the active model on all of it. */
import type { Digits, Evaluation } from '../../shared/contract';
import { CLASSES, PIXELS } from '../../shared/types';
import { idxCount, loadSplit, type DataSplit } from '../engine/data/dataset';
import { evalCancelled, EvalPool, type EvalPoolOptions } from '../engine/inference/evalPool';
import { classifyOffThread, confusionReport } from '../engine/inference/evaluate';
import type { ActiveModelService } from './activeModel';
import { CodedError } from '../../shared/errors';

export class DatasetService {
  #test: DataSplit | null = null;
  /** The evaluation threads: started on the first evaluation and kept until close. */
  readonly pool: EvalPool;
  /**
   * The evaluation in flight per model version: a second request for it shares the answer.
   * It is stopped when every request waiting for it has gone, or on `cancel`.
   */
  readonly #running = new Map<string, { promise: Promise<Evaluation>; stop: AbortController; waiting: number }>();

  constructor(
    readonly dataDir: string,
    private readonly active: ActiveModelService,
    pool: Omit<EvalPoolOptions, 'dataDir'> = {},
  ) {
    this.pool = new EvalPool({ ...pool, dataDir });
  }

  #testSplit(): DataSplit {
    this.#test ??= loadSplit(this.dataDir, 't10k');
    return this.#test;
  }

  info(): { name: string; train: number; test: number; classes: number; dir: string } {
    return { name: 'mnist', train: idxCount(this.dataDir, 'train'), test: idxCount(this.dataDir, 't10k'), classes: CLASSES, dir: this.dataDir };
  }

  digits(indices: number[]): Digits {
    const test = this.#testSplit();
    return {
      digits: indices.map((index) => {
        if (index >= test.n)
          throw new CodedError('digitIndex', `dataset:digits: index ${index} is past the last test digit (${test.n - 1})`, { index, last: test.n - 1 });
        return { index, label: test.labels[index], pixels: Array.from(test.images.subarray(index * PIXELS, (index + 1) * PIXELS)) };
      }),
    };
  }

  /** Accuracy, confusion matrix and examples per cell of it, on the full test set, computed on worker threads. */
  evaluate(signal?: AbortSignal): Promise<Evaluation> {
    const active = this.active.require();
    let run = this.#running.get(active.id);
    if (!run) {
      const stop = new AbortController();
      const promise = classifyOffThread(active.model, this.pool, stop.signal)
        .then(({ predicted, labels }): Evaluation => ({ modelId: active.id, ...confusionReport(predicted, labels), predictions: Array.from(predicted) }))
        .finally(() => this.#running.delete(active.id));
      run = { promise, stop, waiting: 0 };
      this.#running.set(active.id, run);
    }
    const shared = run;
    shared.waiting++;
    if (!signal) return shared.promise;
    return new Promise<Evaluation>((resolve, reject) => {
      const leave = () => {
        if (--shared.waiting <= 0) shared.stop.abort();
        reject(evalCancelled());
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      shared.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }

  /** Stop the active version's evaluation, if one runs; its callers get a 'cancelled' error. */
  cancel(): { cancelled: boolean } {
    const id = this.active.current?.id;
    const run = id ? this.#running.get(id) : undefined;
    run?.stop.abort();
    return { cancelled: !!run };
  }

  /** Stop the evaluation threads (before quitting). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
