/**
 * The app's services, shared by the Electron shell and web mode, one per domain
 * of the contract: the active model (prediction and trace), training, the test
 * set and evaluation, the user's samples, and model files. No Electron import.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { AppStatus, Events } from '../../shared/contract';
import { initBackend } from '../engine/backend';
import type { EngineSettings } from '../engine/settings';
import { defaultMnistDir } from '../engine/data/dataset';
import { ModelStore } from '../engine/model/store';
import type { SpawnTrainer } from '../trainer/manager';
import { ActiveModelService } from './activeModel';
import { DatasetService } from './evaluation';
import { createHandlers, type Handlers } from './handlers';
import { ModelFilesService, type PickFolder } from './modelFiles';
import { SampleStore } from './samples';
import { TrainingService } from './training';
import { VizService } from './viz';
import { Tracing } from './tracing';
import { VerdictService } from './verdicts';
import { VizWorker } from '../engine/viz/vizWorker';

/** Where things live and how to reach the outside world. */
export interface AppOptions {
  /** Per-user data folder: models/, samples/ and maps/ go here. */
  userData: string;
  /** The read-only models shipped with the app: one folder (id `builtin`), or a folder per id. */
  builtinModelDir: string | Record<string, string>;
  /** Folder with the MNIST IDX files. */
  dataDir?: string;
  spawnTrainer: SpawnTrainer;
  emit: <E extends keyof Events>(event: E, payload: Events[E]) => void;
  appVersion: string;
  runtime: string;
  /** The native folder dialog (desktop); without it, export downloads and import uploads. */
  pickFolder?: PickFolder;
  /** The engine's settings, read from the environment by the entry point (see engine/settings.ts). */
  settings?: Partial<EngineSettings>;
}

export class AppServices {
  readonly store: ModelStore;
  readonly samples: SampleStore;
  readonly active: ActiveModelService;
  readonly training: TrainingService;
  readonly dataset: DatasetService;
  readonly files: ModelFilesService;
  readonly viz: VizService;
  readonly verdicts: VerdictService;
  readonly handlers: Handlers;
  #notices: string[] = [];
  #backend: AppStatus['backend'] = 'cpu';

  constructor(private readonly opts: AppOptions) {
    const settings = opts.settings ?? {};
    const dataDir = opts.dataDir ?? defaultMnistDir(settings.mnistDir);
    this.store = new ModelStore(join(opts.userData, 'models'), opts.builtinModelDir);
    this.samples = new SampleStore(join(opts.userData, 'samples'), join(opts.userData, 'samples.json'));
    if (this.samples.notice) this.#notices.push(this.samples.notice);
    this.active = new ActiveModelService(this.store, opts.emit, new Tracing(new VizWorker('trace', undefined, settings.build)));
    this.training = new TrainingService(opts.spawnTrainer, {
      active: this.active,
      store: this.store,
      samples: this.samples,
      dataDir,
      pathCacheFile: join(opts.userData, 'training-paths.json'),
      appVersion: opts.appVersion,
      emit: opts.emit,
    });
    this.dataset = new DatasetService(dataDir, this.active, { build: settings.build });
    this.viz = new VizService(this.store, this.active, dataDir, join(opts.userData, 'maps'), new VizWorker('visualisation', undefined, settings.build));
    this.verdicts = new VerdictService(this.viz.worker, dataDir, join(opts.userData, 'maps'));
    this.active.verdicts = this.verdicts;
    this.files = new ModelFilesService(this.store, this.active, opts.pickFolder ?? null, (id) => this.viz.forget(id));
    this.handlers = createHandlers(this);
  }

  /** Pick the backend and load the active model. */
  async init(): Promise<void> {
    this.#backend = (await initBackend(this.opts.settings?.backend)).name;
    this.#notices.push(...(await this.active.init()));
  }

  status(): AppStatus {
    return {
      appVersion: this.opts.appVersion,
      backend: this.#backend,
      tfjsVersion: tf.version.tfjs,
      runtime: this.opts.runtime,
      active: this.active.summary(),
      training: this.training.running,
      trainingPath: this.training.path,
      notices: [...this.#notices],
    };
  }

  /** Stop whatever runs in the background (before quitting). */
  shutdown(): void {
    this.training.cancel();
    void this.viz.close();
    void this.active.tracing.close();
    void this.dataset.close();
  }
}
