/**
 * Stop and keep: while a run trains, remember the weights after the last epoch that ran to its
 * end, so a run stopped part-way through an epoch is saved as it stood after the one before.
 */
import type { BatchProgress, TrainProgress, TrainSummary } from '../../shared/types';
import type { Weights } from '../engine/model/weights';

export class LastFullEpoch {
  #batch: BatchProgress | null = null;
  #kept: { epoch: number; weights: Weights } | null = null;

  /** Feed every progress message of the run. */
  progress(p: TrainProgress): void {
    if (p.kind === 'batch') this.#batch = p;
  }

  /** Feed the weights after each epoch (the loop hands them over even for an epoch cut short). */
  weights(epoch: number, weights: Weights): void {
    const b = this.#batch;
    if (b && b.epoch === epoch && b.batch === b.batches) this.#kept = { epoch, weights };
  }

  /**
   * A stopped run's summary cut back to its finished epochs, and the weights to put back when the
   * model went on past them (null: the model already holds them). A run that was not stopped
   * is returned as it is.
   */
  trim(summary: TrainSummary): { summary: TrainSummary; restore: Weights | null } {
    if (!summary.cancelled) return { summary, restore: null };
    const upTo = this.#kept?.epoch ?? 0;
    const epochs = summary.epochs.filter((e) => e.epoch <= upTo);
    const wentOn = summary.epochs.length > epochs.length;
    return {
      summary: { ...summary, epochs, testAccuracy: epochs.length ? epochs[epochs.length - 1].testAccuracy : 0 },
      restore: wentOn && this.#kept ? this.#kept.weights : null,
    };
  }
}
