/**
 * The user's correct-and-teach drawings: one JSON file, replaced atomically on
 * every change. Pixels are stored as 0-255 bytes in base64 to keep the file small.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Sample } from '../../shared/contract';
import { PIXELS } from '../../shared/types';
import { writeFileDurable } from '../engine/durableFs';
import type { SampleArrays } from '../engine/job';
import { CodedError } from '../../shared/errors';

interface StoredSample {
  id: string;
  label: number;
  createdAt: string;
  pixels: string;
}

/** Most samples kept; a bound on file size and fine-tune time. */
export const MAX_SAMPLES = 5000;

export class SampleStore {
  #samples: StoredSample[] = [];
  /** Set when the file on disk could not be read and was moved aside. */
  readonly notice: string | null = null;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { samples?: StoredSample[] };
      if (!Array.isArray(data.samples)) throw new Error('has no "samples" list');
      this.#samples = data.samples.filter(
        (s) => typeof s.id === 'string' && Number.isInteger(s.label) && s.label >= 0 && s.label <= 9 && Buffer.from(s.pixels, 'base64').length === PIXELS,
      );
    } catch (err) {
      const aside = `${file}.corrupt-${Date.now()}`;
      renameSync(file, aside);
      this.notice = `Your saved samples file could not be read (${(err as Error).message}); it was moved to ${aside} and a new one started.`;
    }
  }

  #save(): void {
    writeFileDurable(this.file, JSON.stringify({ version: 1, samples: this.#samples }));
  }

  #decode(s: StoredSample): Sample {
    const bytes = Buffer.from(s.pixels, 'base64');
    return { id: s.id, label: s.label, createdAt: s.createdAt, pixels: Array.from(bytes, (b) => b / 255) };
  }

  /** All samples, newest first. */
  list(): Sample[] {
    return this.#samples.map((s) => this.#decode(s)).reverse();
  }

  get size(): number {
    return this.#samples.length;
  }

  add(pixels: ArrayLike<number>, label: number): Sample {
    if (this.#samples.length >= MAX_SAMPLES)
      throw new CodedError('tooManySamples', `you already have ${MAX_SAMPLES} samples; delete some before adding more`, { max: MAX_SAMPLES });
    const bytes = Buffer.from(Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    const stored: StoredSample = {
      id: `s${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
      label,
      createdAt: new Date().toISOString(),
      pixels: bytes.toString('base64'),
    };
    this.#samples.push(stored);
    this.#save();
    return this.#decode(stored);
  }

  delete(id: string): { deleted: string } {
    const i = this.#samples.findIndex((s) => s.id === id);
    if (i < 0) throw new CodedError('noSuchSample', `sample ${id} does not exist`, { id });
    this.#samples.splice(i, 1);
    this.#save();
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
