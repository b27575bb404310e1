/**
 * The user's correct-and-teach drawings: one small file per sample in a folder, each
 * written atomically (temp name, fsync, rename, fsync the folder), so adding a sample
 * writes one sample and a process killed mid-write leaves at most a temp file, swept
 * at the next start. Pixels are stored as 0-255 bytes in base64. A samples.json from
 * before this layout is taken in once and moved aside.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SAMPLES_PAGE, type Sample, type SamplePage } from '../../shared/contract';
import { CodedError, errorMessage } from '../../shared/errors';
import { CLASSES, PIXELS } from '../../shared/types';
import { fsyncDir, writeFileDurable } from '../engine/model/durableFs';
import type { SampleArrays } from '../engine/training/job';
import { readRegularFile } from '../engine/model/artifacts';

interface StoredSample {
  id: string;
  label: number;
  createdAt: string;
  pixels: string;
}

/** Most samples kept; a bound on disk use and fine-tune time. */
export const MAX_SAMPLES = 5000;

/** A sample file is about 1.2 KB; anything much larger is not one of ours. */
const MAX_SAMPLE_FILE_BYTES = 4096;

const ID = /^s[0-9a-z]{6,32}$/;
const FILE = /^(s[0-9a-z]{6,32})\.json$/;

/** A stored sample, checked field by field; null when the value is not one. */
function checkStored(v: unknown): StoredSample | null {
  if (!v || typeof v !== 'object') return null;
  const s = v as Record<string, unknown>;
  if (typeof s.id !== 'string' || !ID.test(s.id)) return null;
  if (typeof s.label !== 'number' || !Number.isInteger(s.label) || s.label < 0 || s.label >= CLASSES) return null;
  if (typeof s.createdAt !== 'string' || s.createdAt.length > 40) return null;
  if (typeof s.pixels !== 'string' || s.pixels.length > 2 * PIXELS || Buffer.from(s.pixels, 'base64').length !== PIXELS) return null;
  return { id: s.id, label: s.label, createdAt: s.createdAt, pixels: s.pixels };
}

export class SampleStore {
  /** Oldest first. */
  #samples: StoredSample[] = [];
  /** Set when something on disk could not be read and was moved aside. */
  readonly notice: string | null = null;

  /**
   * @param dir the samples folder
   * @param legacyFile a samples.json of the earlier one-file layout, taken in when present
   */
  constructor(
    readonly dir: string,
    legacyFile?: string,
  ) {
    mkdirSync(dir, { recursive: true });
    const notes: string[] = [];
    const byId = new Map<string, StoredSample>();
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) {
        // A temp file of a write that was cut off: the sample it held was never reported as saved.
        rmSync(join(dir, name), { force: true });
        continue;
      }
      const m = FILE.exec(name);
      if (!m) continue;
      let s: StoredSample | null = null;
      try {
        s = checkStored(JSON.parse(readRegularFile(dir, name, MAX_SAMPLE_FILE_BYTES).toString('utf8')));
      } catch {
        s = null;
      }
      if (s && s.id === m[1]) byId.set(s.id, s);
      else notes.push(this.#moveAside(join(dir, name)));
    }
    if (legacyFile && existsSync(legacyFile)) {
      const note = this.#takeLegacy(legacyFile, byId);
      if (note) notes.push(note);
    }
    this.#samples = [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    if (notes.length) this.notice = notes.join(' ');
  }

  /** Move a file that is not a readable sample out of the way, keeping it; returns the note. */
  #moveAside(path: string): string {
    const aside = `${path}.corrupt-${Date.now()}`;
    renameSync(path, aside);
    return `A saved sample could not be read; it was moved to ${aside}.`;
  }

  /** Take in the samples of a samples.json of the earlier layout, then move it aside. */
  #takeLegacy(file: string, byId: Map<string, StoredSample>): string | null {
    let list: unknown[];
    try {
      const data = JSON.parse(readRegularFile(dirname(file), basename(file), 64 * 1024 * 1024).toString('utf8')) as {
        samples?: unknown;
      };
      if (!Array.isArray(data.samples)) throw new Error('has no "samples" list');
      list = data.samples;
    } catch (err) {
      const aside = `${file}.corrupt-${Date.now()}`;
      renameSync(file, aside);
      return `Your saved samples file could not be read (${errorMessage(err)}); it was moved to ${aside} and a new one started.`;
    }
    // Written one by one before the old file moves: a crash part way takes them in again, under the same ids.
    for (const v of list.slice(0, MAX_SAMPLES)) {
      const s = checkStored(v);
      if (!s || byId.has(s.id)) continue;
      writeFileDurable(join(this.dir, `${s.id}.json`), JSON.stringify(s));
      byId.set(s.id, s);
    }
    renameSync(file, `${file}.migrated`);
    return null;
  }

  #decode(s: StoredSample): Sample {
    const bytes = Buffer.from(s.pixels, 'base64');
    return { id: s.id, label: s.label, createdAt: s.createdAt, pixels: Array.from(bytes, (b) => b / 255) };
  }

  /** All samples, newest first. */
  list(): Sample[] {
    return this.#samples.map((s) => this.#decode(s)).reverse();
  }

  /** One page of samples, newest first: at most `limit` from position `offset`. */
  page(offset = 0, limit = SAMPLES_PAGE): SamplePage {
    const total = this.#samples.length;
    const n = Math.max(0, Math.min(limit, SAMPLES_PAGE, total - offset));
    const samples: Sample[] = [];
    for (let i = 0; i < n; i++) samples.push(this.#decode(this.#samples[total - 1 - offset - i]));
    return { total, offset, samples };
  }

  get size(): number {
    return this.#samples.length;
  }

  add(pixels: ArrayLike<number>, label: number): Sample {
    if (this.#samples.length >= MAX_SAMPLES)
      throw new CodedError('tooManySamples', `you already have ${MAX_SAMPLES} samples; delete some before adding more`, { max: MAX_SAMPLES });
    const bytes = Buffer.from(Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    // Creation times strictly increase, so the order of samples survives a restart.
    const last = this.#samples.at(-1)?.createdAt;
    let at = Date.now();
    if (last && Date.parse(last) >= at) at = Date.parse(last) + 1;
    const stored: StoredSample = {
      id: `s${at.toString(36)}${randomBytes(3).toString('hex')}`,
      label,
      createdAt: new Date(at).toISOString(),
      pixels: bytes.toString('base64'),
    };
    writeFileDurable(join(this.dir, `${stored.id}.json`), JSON.stringify(stored));
    this.#samples.push(stored);
    return this.#decode(stored);
  }

  delete(id: string): { deleted: string } {
    const i = this.#samples.findIndex((s) => s.id === id);
    if (i < 0) throw new CodedError('noSuchSample', `sample ${id} does not exist`, { id });
    rmSync(join(this.dir, `${id}.json`), { force: true });
    fsyncDir(this.dir);
    this.#samples.splice(i, 1);
    return { deleted: id };
  }

  /** All samples as training arrays. */
  toArrays(): SampleArrays {
    const images = new Float32Array(this.#samples.length * PIXELS);
    const labels = new Uint8Array(this.#samples.length);
    this.#samples.forEach((s, i) => {
      const bytes = Buffer.from(s.pixels, 'base64');
      for (let k = 0; k < PIXELS; k++) images[i * PIXELS + k] = bytes[k] / 255;
      labels[i] = s.label;
    });
    return { images, labels };
  }
}
