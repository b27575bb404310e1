/** Training runs: start (from scratch, or fine-tune the active model with the user's samples), cancel, and adopt the result. */
import type { Events, TrainStartRequest } from '../../shared/contract';
import type { ModelVersion, PathChoice, TrainSummary } from '../../shared/types';
import { runManifest } from '../engine/training/job';
import { weightBytes } from '../engine/model/format';
import type { ModelStore } from '../engine/model/store';
import { TrainerManager, type SpawnTrainer } from '../trainer/manager';
import type { DoneMessage, StartMessage } from '../trainer/protocol';
import type { ActiveModelService } from './activeModel';
import type { SampleStore } from './samples';
import { CodedError } from '../../shared/errors';
import { TRAIN_BOUNDS } from '../../shared/training';
import { randomInt } from 'node:crypto';

/** A seed for a run that names none; the manifest's command records it. */
export function freshSeed(): number {
  return randomInt(TRAIN_BOUNDS.seed.max + 1);
}

/** The summary of a run cancelled before it finished. */
function cancelledSummary(elapsedSec: number): TrainSummary {
  return { epochs: [], testAccuracy: 0, cancelled: true, path: null, choice: null, elapsedSec, samplesPerSec: 0 };
}

export class TrainingService {
  readonly trainer: TrainerManager;
  #choice: PathChoice | null = null;
  /** When the running job was requested (performance.now()). */
  #requestedAt = 0;

  constructor(
    spawn: SpawnTrainer,
    private readonly deps: {
      active: ActiveModelService;
      store: ModelStore;
      samples: SampleStore;
      dataDir: string;
      /** The JSON file that remembers which training path was faster (see engine/pathChoice.ts); none: measure every run. */
      pathCacheFile?: string;
      appVersion?: string;
      emit: <E extends keyof Events>(event: E, payload: Events[E]) => void;
    },
  ) {
    this.trainer = new TrainerManager(spawn, {
      progress: (p) => deps.emit('train:progress', p),
      done: (msg, job) => this.#finish(msg, job),
      cancelled: (_job, elapsedSec) => deps.emit('train:done', { summary: cancelledSummary(elapsedSec), version: null, waitedSec: this.#waited() }),
      error: (err) => deps.emit('train:error', err),
      map: (frame) => deps.emit('train:map', frame),
      path: (choice) => {
        this.#choice = choice;
        deps.emit('train:path', choice);
      },
    });
  }

  /** The request of the run in progress, or null. */
  get running(): TrainStartRequest | null {
    return this.trainer.job?.request ?? null;
  }

  /** The running job's training path, once chosen, or null. */
  get path(): PathChoice | null {
    return this.trainer.job ? this.#choice : null;
  }

  start(req: TrainStartRequest): { started: true } {
    this.trainer.assertIdle();
    const requestedAt = performance.now();
    const { active, store, samples, dataDir } = this.deps;
    let { cell, hidden } = req;
    let base;
    if (req.mode === 'finetune') {
      const current = active.current;
      if (!current) throw new CodedError('noModelToFinetune', 'there is no active model to fine-tune; train one from scratch first');
      // The same verified read as loading; the run keeps the active model's cell and size.
      const { bytes, manifest } = store.readVersion(current.id);
      base = bytes;
      cell = manifest.cell;
      hidden = manifest.hidden;
    }
    // A run whose result could not be kept is refused before it starts, not after it has trained.
    store.checkRoom(weightBytes(cell, hidden));
    const config = {
      cell,
      hidden,
      epochs: req.epochs,
      learningRate: req.learningRate,
      batchSize: req.batchSize,
      limit: req.limit,
      // Each run that names no seed gets its own, so two runs of one preset make two different models.
      seed: req.seed ?? freshSeed(),
      schedule: req.schedule ?? 'constant',
    };
    const job: StartMessage = {
      type: 'start',
      job: { config, base, samples: req.mode === 'finetune' ? samples.toArrays() : undefined, testLimit: 0 },
      dataDir,
      datasetName: 'mnist',
      request: { ...req, cell, hidden },
      pathCache: this.deps.pathCacheFile ? { file: this.deps.pathCacheFile, version: this.deps.appVersion ?? '' } : undefined,
    };
    this.trainer.start(job);
    this.#requestedAt = requestedAt;
    this.#choice = null;
    return { started: true };
  }

  cancel(): { cancelled: boolean } {
    return { cancelled: this.trainer.cancel() };
  }

  /** Stop the run and keep its last finished epoch as a version (see TrainerManager.stop). */
  stop(): { stopping: boolean } {
    return { stopping: this.trainer.stop() };
  }

  async #finish(msg: DoneMessage, start: StartMessage): Promise<void> {
    let version: ModelVersion | null = null;
    if (msg.modelJson && msg.weights && msg.summary.epochs.length) {
      const { config } = start.job;
      const finetune = !!start.job.base;
      version = await this.deps.store.saveBytes(
        msg.modelJson,
        msg.weights,
        runManifest({
          config,
          summary: msg.summary,
          backend: msg.backend,
          dataset: msg.dataset,
          command: `train:start ${JSON.stringify({ mode: finetune ? 'finetune' : 'scratch', ...config })}`,
          parent: finetune ? (this.deps.active.current?.id ?? null) : null,
        }),
      );
      await this.deps.active.adopt(version.id);
    }
    this.deps.emit('train:done', { summary: msg.summary, version, waitedSec: this.#waited() });
  }

  /** Seconds since the running (or just finished) job was requested. */
  #waited(): number {
    return +((performance.now() - this.#requestedAt) / 1000).toFixed(2);
  }
}
