/**
 * Model versions as files: list, delete, export and import. No path ever comes
 * from the renderer: in the desktop app main asks the person with the native
 * folder dialog and uses only what it returns; in web mode export hands the files
 * to the browser as a download and import takes files the person uploaded.
 */
import type { Responses, UploadedFile } from '../../shared/contract';
import type { ModelVersion } from '../../shared/types';
import { CorruptModelError, MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE } from '../engine/model/artifacts';
import { checkModelFiles, readModelFolder } from '../engine/model/folder';
import type { ModelStore } from '../engine/model/store';
import type { ActiveModelService } from './activeModel';
import { CodedError } from '../../shared/errors';

/** Asks the person for a folder (desktop only); null when they cancel. */
export type PickFolder = (purpose: 'export' | 'import') => Promise<string | null>;

export class ModelFilesService {
  constructor(
    private readonly store: ModelStore,
    private readonly active: ActiveModelService,
    private readonly pickFolder: PickFolder | null,
    /** Told after a version is deleted, so what was derived from it (cached maps) goes too. */
    private readonly onDeleted: (id: string) => void = () => {},
  ) {}

  list(): ModelVersion[] {
    return this.store.list();
  }

  delete(id: string): { deleted: string } {
    this.store.delete(id);
    this.onDeleted(id);
    return { deleted: id };
  }

  async export(id: string): Promise<Responses['models:export']> {
    if (!this.pickFolder) {
      const { bytes, manifest } = this.store.readVersion(id);
      const files = [
        { name: MODEL_FILE, data: bytes.modelJson },
        { name: WEIGHTS_FILE, data: bytes.weights },
        { name: MANIFEST_FILE, data: new TextEncoder().encode(JSON.stringify(manifest, null, 2)) },
      ];
      return { download: { folder: `rnn-lens-${id}`, files: files.map((f) => ({ name: f.name, base64: Buffer.from(f.data).toString('base64') })) } };
    }
    const folder = await this.pickFolder('export');
    if (folder === null) return { cancelled: true };
    return { path: await this.store.exportTo(id, `${folder.replace(/[\\/]+$/, '')}/rnn-lens-${id}`) };
  }

  /** Desktop: import the folder the person picks in the dialog. */
  async import(): Promise<Responses['models:import']> {
    if (!this.pickFolder) throw new CodedError('importInBrowser', 'in the browser, import a model by uploading its model.json and weights.bin');
    const folder = await this.pickFolder('import');
    if (folder === null) return { cancelled: true };
    return this.#adopt(await this.store.importFolder(readModelFolder(folder), `imported from ${folder}`));
  }

  /** Import uploaded files: model.json and weights.bin, manifest.json optional, told apart by name. */
  async upload(files: UploadedFile[]): Promise<ModelVersion> {
    const find = (suffix: string) => {
      const hits = files.filter((f) => f.name.toLowerCase().endsWith(suffix));
      if (hits.length > 1) throw new CorruptModelError(suffix, 'was uploaded more than once');
      return hits[0] ? Buffer.from(hits[0].base64, 'base64') : null;
    };
    const modelJson = find(MODEL_FILE);
    const weights = find(WEIGHTS_FILE);
    if (!modelJson || !weights)
      throw new CorruptModelError(modelJson ? WEIGHTS_FILE : MODEL_FILE, 'is missing: choose model.json and weights.bin (manifest.json is optional)');
    const folder = checkModelFiles({ modelJson, weights, manifest: find(MANIFEST_FILE) });
    return this.#adopt(await this.store.importFolder(folder, `uploaded ${files.map((f) => f.name).join(', ')}`));
  }

  async #adopt(v: ModelVersion): Promise<ModelVersion> {
    await this.active.adopt(v.id);
    return v;
  }
}
