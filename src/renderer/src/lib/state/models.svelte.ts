/** App status, the active model and the version history. */
import type { ActiveModel, AppStatus } from '$shared/contract';
import type { ModelVersion } from '$shared/types';
import { api } from '../api';
import { downloadFiles, readUploads } from '../files';
import { notices } from './notices.svelte';
import { t } from '../i18n/index.svelte';

export class ModelsState {
  status = $state.raw<AppStatus | null>(null);
  active = $state.raw<ActiveModel | null>(null);
  versions = $state.raw<ModelVersion[]>([]);
  connected = $state(true);
  busy = $state(false);
  #onActive: ((active: ActiveModel | null) => void)[] = [];
  #loaded!: () => void;
  /** Settles once the first status (and with it the active model) has been asked for. */
  readonly ready = new Promise<void>((resolve) => (this.#loaded = resolve));

  constructor() {
    api.on('models:changed', ({ active }) => {
      this.active = active;
      this.#onActive.forEach((fn) => fn(active));
      void this.refresh();
    });
    api.onConnection((c) => {
      this.connected = c;
      if (c) void this.load();
    });
  }

  /** Call `fn` whenever main switches to another active model; returns the function that stops it. */
  onActiveChange(fn: (active: ActiveModel | null) => void): () => void {
    this.#onActive = [...this.#onActive, fn];
    return () => (this.#onActive = this.#onActive.filter((f) => f !== fn));
  }

  async load(): Promise<void> {
    try {
      this.status = await api.call('app:status', {});
      this.active = this.status.active;
      for (const n of this.status.notices) notices.push('info', n, 12000);
      await this.refresh();
    } catch (err) {
      notices.error(err);
    } finally {
      this.#loaded();
    }
  }

  async refresh(): Promise<void> {
    try {
      this.versions = await api.call('models:list', {});
    } catch (err) {
      notices.error(err);
    }
  }

  async #run(what: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    try {
      await what();
      await this.refresh();
    } catch (err) {
      notices.error(err);
    } finally {
      this.busy = false;
    }
  }

  /** Make `id` the active model; `quiet` for a switch the learner did not ask for in words (the tour's). */
  activate(id: string, quiet = false) {
    return this.#run(async () => {
      await api.call('models:activate', { id });
      if (!quiet) notices.info(t('notice.activated', { id }));
    });
  }

  remove(id: string) {
    return this.#run(async () => {
      await api.call('models:delete', { id });
      notices.info(t('notice.deleted', { id }));
    });
  }

  exportVersion(id: string) {
    return this.#run(async () => {
      const r = await api.call('models:export', { id });
      if ('path' in r) notices.push('info', t('notice.exported', { id, path: r.path }), 8000);
      else if ('download' in r) {
        downloadFiles(r.download.folder, r.download.files);
        notices.info(t('notice.downloading', { id }));
      }
    });
  }

  /** Desktop: main asks for the folder with its own dialog. */
  importFolder() {
    return this.#run(async () => {
      const r = await api.call('models:import', {});
      if ('id' in r) notices.info(t('notice.imported', { id: r.id }));
    });
  }

  /** Web mode: the files the person chose (model.json and weights.bin, manifest.json optional). */
  upload(files: FileList) {
    return this.#run(async () => {
      const r = await api.call('models:upload', { files: await readUploads(files) });
      notices.info(t('notice.imported', { id: r.id }));
    });
  }
}

export const models = new ModelsState();
