/**
 * The remembered measurements of which training path is faster: a small JSON file in the
 * user's data folder, keyed by the configuration they hold for. A file that is missing,
 * oversized or malformed counts as empty, with a note.
 */
import { errorMessage } from '../../../shared/errors';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { TrainConfig } from '../../../shared/types';
import { writeFileDurable } from '../model/durableFs';
import { splitBatch } from './batchSplit';

/** A cache file larger than this is ignored; it holds at most MAX_ENTRIES configurations. */
export const MAX_CACHE_BYTES = 64 * 1024;
export const MAX_ENTRIES = 100;
const FORMAT = 'rnn-lens-training-paths/1';
const KEY = /^[A-Za-z0-9.+|-]{1,160}$/;
const speed = z.number().finite().positive().max(1e9);
const Entry = z.strictObject({ path: z.enum(['kernels', 'tfjs']), kernelsPerSec: speed, tfjsPerSec: speed, at: z.string().max(40) });
export type PathEntry = z.infer<typeof Entry>;
const CacheFile = z.strictObject({ format: z.literal(FORMAT), entries: z.record(z.string().regex(KEY), Entry) });

/** The configuration a measurement holds for: backend, model shape and read, batch, kernel threads and variant, app version. */
export function pathKey(
  config: Pick<TrainConfig, 'cell' | 'hidden' | 'batchSize' | 'read'>,
  where: { backend: string; threads: number; build: string },
  version = '',
): string {
  const { backend, build } = where;
  const threads = splitBatch(config.batchSize, where.threads).length;
  const v = version.replace(/[^A-Za-z0-9.+-]/g, '').slice(0, 40) || '0';
  // The tutorial's read keeps the key it had before reads existed, so its measurements still count.
  const read = config.read && config.read !== 'rows' ? [config.read.replace(':', '')] : [];
  return [backend, config.cell, config.hidden, ...read, `b${config.batchSize}`, `t${threads}`, build, v].join('|');
}

/** The remembered measurements; a missing file is empty, an unreadable, oversized or malformed one is ignored with a note. */
export function readPathCache(file: string, onNote: (note: string) => void = console.warn): Map<string, PathEntry> {
  try {
    if (statSync(file).size > MAX_CACHE_BYTES) throw new Error(`larger than ${MAX_CACHE_BYTES} bytes`);
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const parsed = CacheFile.safeParse(raw);
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'unexpected content');
    // The record schema drops a "__proto__" key rather than failing; a file holding one is not ours.
    if (Object.keys((raw as { entries: object }).entries).length !== Object.keys(parsed.data.entries).length) throw new Error('unexpected keys');
    return new Map(Object.entries(parsed.data.entries));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onNote(`ignoring the training-path cache ${file}: ${errorMessage(err)}`);
    return new Map();
  }
}

/** Write the measurements atomically, newest MAX_ENTRIES kept; a failure is a note, not an error. */
export function writePathCache(file: string, entries: Map<string, PathEntry>, onNote: (note: string) => void = console.warn): void {
  const kept = [...entries].sort((a, b) => b[1].at.localeCompare(a[1].at)).slice(0, MAX_ENTRIES);
  try {
    writeFileDurable(file, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(kept) }, null, 1));
  } catch (err) {
    onNote(`could not save the training-path cache ${file}: ${errorMessage(err)}`);
  }
}
