/**
 * The app's services, shared by the Electron shell and web mode: predictions and
 * traces from the active model, training through the trainer process, the model
 * store, the dataset and the user's samples. No Electron import.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActiveModel, AppStatus, Events, Requests, Responses, TrainStartRequest } from '../../shared/contract';
import { CLASSES, PIXELS, SIDE, type ModelManifest, type ModelVersion } from '../../shared/types';
import { MODEL_FILE, WEIGHTS_FILE } from '../engine/artifacts';
import { initBackend } from '../engine/backend';
import { defaultMnistDir, idxCount, loadSplit, type DataSplit } from '../engine/dataset';
import { BUILTIN_ID, ModelStore } from '../engine/store';
import { Tracer } from '../engine/trace';
import { TrainerManager, type SpawnTrainer } from '../trainer/manager';
import type { StartMessage } from '../trainer/protocol';
import { SampleStore } from './samples';

/** Where things live and how to reach the outside world. */
export interface LensOptions {
  /** Per-user data folder: models/ and samples.json go here. */
  userData: string;
  /** The read-only model shipped with the app. */
  builtinModelDir: string;
  /** Folder with the MNIST IDX files. */
  dataDir?: string;
  spawnTrainer: SpawnTrainer;
  emit: <E extends keyof Events>(event: E, payload: Events[E]) => void;
  appVersion: string;
  runtime: string;
  /** Ask the person for a folder (desktop only); null when they cancel. */
  pickFolder?: (purpose: 'export' | 'import') => Promise<string | null>;
}

interface Active {
  id: string;
  model: tf.LayersModel;
  tracer: Tracer;
  manifest: ModelManifest;
}

type Handlers = { [C in keyof Requests]: (req: Requests[C]) => Promise<Responses[C]> | Responses[C] };

export class LensServices {
  readonly store: ModelStore;
  readonly samples: SampleStore;
  readonly trainer: TrainerManager;
  readonly dataDir: string;
  #active: Active | null = null;
  #test: DataSplit | null = null;
  #notices: string[] = [];
  #backend = 'cpu' as AppStatus['backend'];

  constructor(private readonly opts: LensOptions) {
    this.dataDir = opts.dataDir ?? defaultMnistDir();
    this.store = new ModelStore(join(opts.userData, 'models'), opts.builtinModelDir);
    this.samples = new SampleStore(join(opts.userData, 'samples.json'));
    if (this.samples.notice) this.#notices.push(this.samples.notice);
    this.trainer = new TrainerManager(opts.spawnTrainer, {
      progress: (p) => opts.emit('train:progress', p),
      done: (msg, job) => this.#finishRun(msg, job),
      error: (error) => opts.emit('train:error', { error }),
    });
  }

  /** Pick the backend and load the active model. */
  async init(): Promise<void> {
    this.#backend = (await initBackend()).name;
    await this.#loadActive();
  }

  async #loadActive(): Promise<void> {
    if (!this.store.activeId()) {
      this.#notices.push('No trained model yet: train one from the Train panel to start predicting.');
      return;
    }
    const loaded = await this.store.load();
    for (const q of loaded.quarantined) {
      this.#notices.push(`Model ${q.id} was damaged and has been moved aside (${q.reason}); using ${loaded.id} instead.`);
    }
    this.#swap({ id: loaded.id, model: loaded.model, tracer: new Tracer(loaded.model), manifest: loaded.manifest });
  }

  #swap(next: Active): void {
    const old = this.#active;
    this.#active = next;
    if (old && old.model !== next.model) old.model.dispose();
    this.opts.emit('models:changed', { active: this.#activeSummary() });
  }

  #activeSummary(): ActiveModel | null {
    const a = this.#active;
    if (!a) return null;
    return { id: a.id, cell: a.manifest.cell, hidden: a.manifest.hidden, testAccuracy: a.manifest.testAccuracy, createdAt: a.manifest.createdAt, builtin: a.id === BUILTIN_ID };
  }

  #requireActive(): Active {
    if (!this.#active) throw new Error('no model is loaded yet: train one first');
    return this.#active;
  }

  #testSplit(): DataSplit {
    this.#test ??= loadSplit(this.dataDir, 't10k');
    return this.#test;
  }

  async #finishRun(msg: Parameters<ConstructorParameters<typeof TrainerManager>[1]['done']>[0], job: StartMessage): Promise<void> {
    let version: ModelVersion | null = null;
    if (msg.modelJson && msg.weights && msg.summary.epochs.length) {
      const c = job.config;
      version = await this.store.saveBytes(msg.modelJson, msg.weights, {
        cell: c.cell,
        hidden: c.hidden,
        epochs: msg.summary.epochs.length,
        learningRate: c.learningRate,
        batchSize: c.batchSize,
        dataset: job.base ? `${job.datasetName} + ${job.samples?.labels.length ?? 0} user samples` : job.datasetName,
        backend: msg.backend,
        testAccuracy: msg.summary.testAccuracy,
        command: `train:start ${JSON.stringify({ mode: job.base ? 'finetune' : 'scratch', ...c })}`,
        parent: job.base ? (this.#active?.id ?? null) : null,
        history: msg.summary.epochs.map((e) => ({ epoch: e.epoch, avgCost: e.avgCost, testAccuracy: e.testAccuracy })),
      });
      const { model, manifest } = await this.store.loadVersion(version.id);
      this.#swap({ id: version.id, model, tracer: new Tracer(model), manifest });
    }
    this.opts.emit('train:done', { summary: msg.summary, version });
  }

  /** One handler per channel; requests arrive already validated. */
  readonly handlers: Handlers = {
    'app:status': () => this.status(),
    'model:predict': ({ pixels }) => {
      const r = this.#requireActive().tracer.trace(pixels);
      return { probs: Array.from(r.probs), prediction: r.prediction };
    },
    'model:trace': ({ pixels }) => this.#requireActive().tracer.trace(pixels),
    'train:start': (req) => this.startTraining(req),
    'train:cancel': () => ({ cancelled: this.trainer.cancel() }),
    'models:list': () => this.store.list(),
    'models:activate': async ({ id }) => {
      const { version, model } = await this.store.activate(id);
      this.#swap({ id, model, tracer: new Tracer(model), manifest: version.manifest });
      return version;
    },
    'models:delete': ({ id }) => {
      this.store.delete(id);
      return { deleted: id };
    },
    'models:export': async ({ id, dest }) => {
      const target = dest ?? (await this.opts.pickFolder?.('export'));
      if (target === null) return { cancelled: true };
      const path = target ?? join(this.opts.userData, 'exports', `${id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      return { path: await this.store.exportTo(id, target ? join(target, `rnn-lens-${id}`) : path) };
    },
    'models:import': async ({ src }) => {
      const from = src ?? (await this.opts.pickFolder?.('import'));
      if (from === null) return { cancelled: true };
      if (from === undefined) throw new Error('models:import: src is required: give the folder that holds model.json and weights.bin');
      const v = await this.store.importFrom(from);
      const { model, manifest } = await this.store.loadVersion(v.id);
      this.#swap({ id: v.id, model, tracer: new Tracer(model), manifest });
      return v;
    },
    'dataset:info': () => ({ name: 'mnist', train: idxCount(this.dataDir, 'train'), test: idxCount(this.dataDir, 't10k'), classes: CLASSES, dir: this.dataDir }),
    'dataset:digits': ({ indices }) => {
      const test = this.#testSplit();
      return {
        digits: indices.map((index) => {
          if (index >= test.n) throw new Error(`dataset:digits: index ${index} is past the last test digit (${test.n - 1})`);
          return { index, label: test.labels[index], pixels: Array.from(test.images.subarray(index * PIXELS, (index + 1) * PIXELS)) };
        }),
      };
    },
    'eval:run': () => this.evaluate(),
    'samples:add': ({ pixels, label }) => this.samples.add(pixels, label),
    'samples:list': () => this.samples.list(),
    'samples:delete': ({ id }) => {
      this.samples.delete(id);
      return { deleted: id };
    },
  };

  status(): AppStatus {
    return {
      appVersion: this.opts.appVersion,
      backend: this.#backend,
      tfjsVersion: tf.version.tfjs,
      runtime: this.opts.runtime,
      active: this.#activeSummary(),
      training: this.trainer.job?.request ?? null,
      notices: [...this.#notices],
    };
  }

  startTraining(req: TrainStartRequest): { started: true } {
    this.trainer.assertIdle();
    const active = this.#active;
    let base: StartMessage['base'];
    let cell = req.cell, hidden = req.hidden;
    if (req.mode === 'finetune') {
      if (!active) throw new Error('there is no active model to fine-tune; train one from scratch first');
      const dir = active.id === BUILTIN_ID ? this.opts.builtinModelDir : join(this.store.versionsDir, active.id);
      base = { modelJson: readFileSync(join(dir, MODEL_FILE)), weights: readFileSync(join(dir, WEIGHTS_FILE)) };
      cell = active.manifest.cell;
      hidden = active.manifest.hidden;
    }
    const job: StartMessage = {
      type: 'start',
      config: { cell, hidden, epochs: req.epochs, learningRate: req.learningRate, batchSize: req.batchSize, limit: req.limit, seed: req.seed ?? 42 },
      dataDir: this.dataDir,
      datasetName: 'mnist',
      base,
      samples: req.mode === 'finetune' ? this.samples.toArrays() : undefined,
      testLimit: 0,
      request: { ...req, cell, hidden },
    };
    this.trainer.start(job);
    return { started: true };
  }

  /** Accuracy, confusion matrix and examples per cell of it, on the full test set. */
  evaluate(): Responses['eval:run'] {
    const active = this.#requireActive();
    const test = this.#testSplit();
    const predictions: number[] = [];
    for (let start = 0; start < test.n; start += 1000) {
      const size = Math.min(1000, test.n - start);
      const p = tf.tidy(() => {
        const xs = tf.tensor3d(test.images.subarray(start * PIXELS, (start + size) * PIXELS), [size, SIDE, SIDE]);
        return Array.from((active.model.predict(xs) as tf.Tensor).argMax(-1).dataSync());
      });
      predictions.push(...p);
    }
    const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
    const examples: Record<string, number[]> = {};
    let correct = 0;
    predictions.forEach((p, i) => {
      const t = test.labels[i];
      confusion[t][p]++;
      if (p === t) correct++;
      const key = `${t}-${p}`;
      const list = (examples[key] ??= []);
      if (list.length < 50) list.push(i);
    });
    return { modelId: active.id, accuracy: correct / test.n, confusion, examples, predictions };
  }
}
