/** The test set: its size, digits by index for galleries, and evaluation of the active model on all of it. */
import type { Digits, Evaluation } from '../../shared/contract';
import { CLASSES, PIXELS } from '../../shared/types';
import { idxCount, loadSplit, type DataSplit } from '../engine/dataset';
import { classifyOffThread, confusionReport } from '../engine/evaluate';
import type { ActiveModelService } from './activeModel';
import { CodedError } from '../../shared/errors';

export class DatasetService {
  #test: DataSplit | null = null;

  constructor(
    readonly dataDir: string,
    private readonly active: ActiveModelService,
  ) {}

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

  /** Accuracy, confusion matrix and examples per cell of it, on the full test set, computed on a worker thread. */
  async evaluate(): Promise<Evaluation> {
    const active = this.active.require();
    const { predicted, labels } = await classifyOffThread(active.model, this.dataDir);
    return { modelId: active.id, ...confusionReport(predicted, labels), predictions: Array.from(predicted) };
  }
}
