/**
 * Versioned model store. Each save is a new folder under versions/, written into
 * a temp folder with fsynced files and then renamed into place; a `current` file,
 * also replaced atomically, names the active version. A version that fails
 * verification is moved to quarantine/ (never deleted) and the store falls back
 * to the newest good version, and finally to the model shipped with the app.
 */
import type * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ModelManifest, ModelVersion } from '../../../shared/types';
import { CodedError, errorMessage } from '../../../shared/errors';
import { BUILTIN_ID_RE } from '../../../shared/contract';
import {
  bytesToModel,
  CorruptModelError,
  MANIFEST_FILE,
  MODEL_FILE,
  modelToBytes,
  readManifest,
  readVerifiedFiles,
  WEIGHTS_FILE,
  type ModelBytes,
} from './artifacts';
import { fsyncDir, sha256, tempName, writeFileDurable } from './durableFs';
import { describeModel } from './model';
import { parseModelJson } from './format';
import { readModelFolder, type ModelFolder } from './folder';

/** Id of the read-only model that ships with the app and serves when nothing else does: the tutorial's SimpleRNN. */
export const BUILTIN_ID = 'builtin';

/** True for the id of a shipped model. */
export const isBuiltinId = (id: string): boolean => BUILTIN_ID_RE.test(id);

/** Where the shipped models are: a folder per id. */
export type BuiltinDirs = Readonly<Record<string, string>>;

/** Fields a caller supplies when saving; the store fills in id, files and format. */
export type ManifestInput = Omit<ModelManifest, 'format' | 'id' | 'files' | 'createdAt'> & { createdAt?: string };

/** A version that failed to load and where it was moved. */
export interface QuarantineNote {
  id: string;
  reason: string;
  movedTo: string;
}

/** A loaded model and how the store got to it. */
export interface LoadedModel {
  id: string;
  model: tf.LayersModel;
  manifest: ModelManifest;
  /** Versions that were tried first, failed, and were moved aside. */
  quarantined: QuarantineNote[];
}

const ID_RE = /^v(\d{4,})$/;

/** Most versions a store keeps; a save or import past it is refused with a clear error. */
export const MAX_VERSIONS = 200;
/** Most bytes the kept versions may take on disk (about 60 of the largest models the app builds). */
export const MAX_STORE_BYTES = 1024 * 1024 * 1024;

export class ModelStore {
  readonly versionsDir: string;
  readonly quarantineDir: string;
  readonly currentFile: string;

  /** The shipped models' folders, by id; the first is the fallback of last resort. */
  readonly builtins: BuiltinDirs;

  constructor(
    readonly root: string,
    /** The shipped models: one folder (the tutorial's model, id `builtin`), or a folder per id. */
    builtins?: string | BuiltinDirs,
    /** How many versions, and how many bytes in all, the store keeps at most. */
    readonly limits: { versions: number; bytes: number } = { versions: MAX_VERSIONS, bytes: MAX_STORE_BYTES },
  ) {
    const dirs = typeof builtins === 'string' ? { [BUILTIN_ID]: builtins } : (builtins ?? {});
    for (const id of Object.keys(dirs)) if (!isBuiltinId(id)) throw new Error(`"${id}" is not a built-in model id`);
    this.builtins = dirs;
    this.versionsDir = join(root, 'versions');
    this.quarantineDir = join(root, 'quarantine');
    this.currentFile = join(root, 'current');
    mkdirSync(this.versionsDir, { recursive: true });
    mkdirSync(this.quarantineDir, { recursive: true });
    this.sweepIncomplete();
  }

  /**
   * A process killed mid-save leaves a temp folder in versions/ (moved aside here, so
   * nothing it held is lost) or, killed while switching versions, a temp copy of the
   * `current` pointer beside it (removed: the pointer itself is replaced atomically, so
   * the temp holds nothing the store still needs). One process writes a store at a time.
   */
  private sweepIncomplete(): void {
    for (const name of readdirSync(this.versionsDir)) {
      if (name.startsWith('.tmp-')) this.moveAside(name, 'incomplete save');
    }
    const pointerTemp = `.${basename(this.currentFile)}.tmp-`;
    const stale = readdirSync(this.root).filter((n) => n.startsWith(pointerTemp));
    for (const name of stale) rmSync(join(this.root, name), { force: true });
    if (stale.length) fsyncDir(this.root);
  }

  private moveAside(name: string, reason: string): QuarantineNote {
    const movedTo = join(this.quarantineDir, `${name.replace(/^\./, '')}-${Date.now()}`);
    renameSync(join(this.versionsDir, name), movedTo);
    fsyncDir(this.versionsDir);
    return { id: name, reason, movedTo };
  }

  private userIds(): string[] {
    return readdirSync(this.versionsDir)
      .filter((n) => ID_RE.test(n))
      .sort((a, b) => Number(ID_RE.exec(a)![1]) - Number(ID_RE.exec(b)![1]));
  }

  private nextId(): string {
    const seen = [...readdirSync(this.versionsDir), ...readdirSync(this.quarantineDir)]
      .map((n) => /^v(\d{4,})/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    const next = (seen.length ? Math.max(...seen) : 0) + 1;
    return `v${String(next).padStart(4, '0')}`;
  }

  private dirOf(id: string): string {
    if (isBuiltinId(id)) {
      if (!Object.hasOwn(this.builtins, id)) throw new Error(`this store has no built-in model ${id}`);
      return this.builtins[id];
    }
    if (!ID_RE.test(id)) throw new Error(`"${id}" is not a model version id (expected v0001 or "${BUILTIN_ID}")`);
    return join(this.versionsDir, id);
  }

  /** The shipped models present, in their order. */
  private builtinIds(): string[] {
    return Object.keys(this.builtins).filter((id) => existsSync(join(this.builtins[id], MANIFEST_FILE)));
  }

  /** The id the `current` pointer names, or null when unset. */
  currentId(): string | null {
    if (!existsSync(this.currentFile)) return null;
    const id = readFileSync(this.currentFile, 'utf8').trim();
    return id || null;
  }

  /** The active version id: the pointer if it names something present, else the newest, else builtin. */
  activeId(): string | null {
    const cur = this.currentId();
    const ids = this.userIds();
    const shipped = this.builtinIds();
    if (cur && (ids.includes(cur) || shipped.includes(cur))) return cur;
    if (ids.length) return ids[ids.length - 1];
    return shipped[0] ?? null;
  }

  /** All versions with readable manifests, newest first, builtin last. Unreadable ones are skipped here and caught on load. */
  list(): ModelVersion[] {
    const active = this.activeId();
    const out: ModelVersion[] = [];
    for (const id of this.userIds().reverse()) {
      try {
        out.push({ id, manifest: readManifest(this.dirOf(id)), active: id === active, builtin: false });
      } catch {
        // listed once it is repaired or moved aside by load()
      }
    }
    for (const id of this.builtinIds()) {
      try {
        out.push({ id, manifest: readManifest(this.builtins[id]), active: active === id, builtin: true });
      } catch {
        // a damaged shipped model is reported when it is loaded
      }
    }
    return out;
  }

  /** Save a model as a new version and (by default) make it active. */
  async save(model: tf.LayersModel, input: ManifestInput, opts: { activate?: boolean } = {}): Promise<ModelVersion> {
    const bytes = await modelToBytes(model);
    const { cell, hidden } = describeModel(model);
    return this.commit(bytes.modelJson, bytes.weights, { ...input, cell, hidden }, opts.activate ?? true);
  }

  /** Save serialized model bytes (as a trainer process sends them) after verifying they load. */
  async saveBytes(modelJson: Uint8Array, weights: Uint8Array, input: ManifestInput, opts: { activate?: boolean } = {}): Promise<ModelVersion> {
    const { cell, hidden } = parseModelJson(modelJson);
    (await bytesToModel({ modelJson, weights }, { cell, hidden })).dispose();
    return this.commit(modelJson, weights, { ...input, cell, hidden }, opts.activate ?? true);
  }

  /** Bytes the kept versions take on disk. */
  usedBytes(): number {
    let used = 0;
    for (const id of this.userIds()) {
      for (const f of [MODEL_FILE, WEIGHTS_FILE, MANIFEST_FILE]) {
        try {
          used += statSync(join(this.versionsDir, id, f)).size;
        } catch {
          // a damaged version is moved aside on load; it counts for what is there
        }
      }
    }
    return used;
  }

  /** Throw a coded error when one more version of `bytes` would pass the store's quotas. */
  checkRoom(bytes: number): void {
    const count = this.userIds().length;
    const { versions, bytes: maxBytes } = this.limits;
    if (count >= versions)
      throw new CodedError('tooManyVersions', `you already keep ${count} model versions (at most ${versions}); delete some before adding more`, {
        count,
        max: versions,
      });
    const used = this.usedBytes();
    if (used + bytes > maxBytes) {
      const mb = Math.round(used / 1024 / 1024);
      const max = Math.round(maxBytes / 1024 / 1024);
      throw new CodedError('storeTooLarge', `your saved models take ${mb} MB (at most ${max} MB); delete some before adding more`, { mb, max });
    }
  }

  private commit(modelJson: Uint8Array, weights: Uint8Array, input: ManifestInput, activate: boolean): ModelVersion {
    this.checkRoom(modelJson.length + weights.length);
    const id = this.nextId();
    const tmp = join(this.versionsDir, `.tmp-${id}-${process.pid}`);
    mkdirSync(tmp);
    const files = {
      [MODEL_FILE]: { sha256: sha256(modelJson), bytes: modelJson.length },
      [WEIGHTS_FILE]: { sha256: sha256(weights), bytes: weights.length },
    };
    const manifest: ModelManifest = {
      ...input,
      format: 'rnn-lens-model/1',
      id,
      createdAt: input.createdAt ?? new Date().toISOString(),
      files,
    };
    writeFileDurable(join(tmp, MODEL_FILE), modelJson);
    writeFileDurable(join(tmp, WEIGHTS_FILE), weights);
    writeFileDurable(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    fsyncDir(tmp);
    renameSync(tmp, join(this.versionsDir, id));
    fsyncDir(this.versionsDir);
    if (activate) this.setCurrent(id);
    return { id, manifest, active: activate, builtin: false };
  }

  private setCurrent(id: string): void {
    writeFileDurable(this.currentFile, `${id}\n`);
  }

  /** The verified bytes and manifest of one version. Throws CorruptModelError on any fault. */
  readVersion(id: string): { bytes: ModelBytes; manifest: ModelManifest } {
    const dir = this.dirOf(id);
    if (!existsSync(dir)) throw new Error(`model version ${id} does not exist`);
    const manifest = readManifest(dir);
    return { bytes: readVerifiedFiles(dir, manifest), manifest };
  }

  /** Verify and load one version without side effects. Throws CorruptModelError on any fault. */
  async loadVersion(id: string): Promise<{ model: tf.LayersModel; manifest: ModelManifest }> {
    const { bytes, manifest } = this.readVersion(id);
    const model = await bytesToModel(bytes, { cell: manifest.cell, hidden: manifest.hidden });
    return { model, manifest };
  }

  /**
   * Load the active version. A version that fails verification is moved to
   * quarantine and the next newest is tried, down to the built-in model.
   */
  async load(): Promise<LoadedModel> {
    const quarantined: QuarantineNote[] = [];
    const first = this.activeId();
    const order = [first, ...this.userIds().reverse(), ...this.builtinIds()].filter((id, i, a): id is string => id !== null && a.indexOf(id) === i);
    let shippedFault: string | null = null;
    for (const id of order) {
      try {
        const { model, manifest } = await this.loadVersion(id);
        if (id !== first || quarantined.length) this.setCurrent(id);
        return { id, model, manifest, quarantined };
      } catch (err) {
        const reason = errorMessage(err);
        // A shipped model is read-only: it is never moved aside; the next one is tried.
        if (isBuiltinId(id)) shippedFault ??= `${id}: ${reason}`;
        else quarantined.push(this.moveAside(id, reason));
      }
    }
    if (shippedFault) throw new CorruptModelError('built-in model', shippedFault);
    throw new Error('no model is available: train one first');
  }

  /** Verify and load a version, then make it active. The caller owns the returned model. */
  async activate(id: string): Promise<{ version: ModelVersion; model: tf.LayersModel }> {
    const { model, manifest } = await this.loadVersion(id);
    this.setCurrent(id);
    return { version: { id, manifest, active: true, builtin: isBuiltinId(id) }, model };
  }

  /** Delete a user version. The active and built-in versions cannot be deleted. */
  delete(id: string): void {
    if (isBuiltinId(id)) throw new Error('a model shipped with the app cannot be deleted');
    const dir = this.dirOf(id);
    if (!existsSync(dir)) throw new Error(`model version ${id} does not exist`);
    if (this.activeId() === id) throw new Error(`model version ${id} is active: activate another version before deleting it`);
    rmSync(dir, { recursive: true });
    fsyncDir(this.versionsDir);
  }

  /** Copy a verified version to `dest` (a new or empty folder) as model.json, weights.bin and manifest.json. */
  async exportTo(id: string, dest: string): Promise<string> {
    const dir = this.dirOf(id);
    const manifest = readManifest(dir);
    readVerifiedFiles(dir, manifest);
    if (existsSync(dest) && readdirSync(dest).length > 0) throw new Error(`export folder ${dest} is not empty`);
    mkdirSync(dest, { recursive: true });
    for (const f of [MODEL_FILE, WEIGHTS_FILE, MANIFEST_FILE]) {
      const tmp = tempName(join(dest, f));
      cpSync(join(dir, f), tmp);
      renameSync(tmp, join(dest, f));
    }
    fsyncDir(dest);
    return dest;
  }

  /**
   * Import a model folder (model.json + weights.bin, manifest.json optional) as a
   * new version. Everything is verified before anything is written.
   */
  async importFrom(src: string, opts: { activate?: boolean } = {}): Promise<ModelVersion> {
    return this.importFolder(readModelFolder(src), `imported from ${src}`, opts);
  }

  /** Import verified bytes (a folder read by readModelFolder, or files a person uploaded) as a new version. */
  async importFolder(folder: ModelFolder, origin: string, opts: { activate?: boolean } = {}): Promise<ModelVersion> {
    const { bytes, manifest, describe } = folder;
    (await bytesToModel(bytes, describe)).dispose();
    const input: ManifestInput = manifest
      ? {
          cell: describe.cell,
          hidden: describe.hidden,
          epochs: manifest.epochs,
          learningRate: manifest.learningRate,
          batchSize: manifest.batchSize,
          ...(manifest.schedule ? { schedule: manifest.schedule } : {}),
          dataset: manifest.dataset,
          backend: manifest.backend,
          testAccuracy: manifest.testAccuracy,
          command: `${manifest.command} (imported)`.slice(0, 2000),
          parent: null,
          history: manifest.history,
        }
      : {
          ...describe,
          epochs: 0,
          learningRate: 0,
          batchSize: 0,
          dataset: 'unknown',
          backend: 'unknown',
          testAccuracy: null,
          command: origin.slice(0, 2000),
          parent: null,
          history: [],
        };
    return this.commit(bytes.modelJson, bytes.weights, input, opts.activate ?? true);
  }
}
