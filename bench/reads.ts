/**
 * Training throughput at every reading order beside PyTorch + OpenBLAS on the same model and the
 * same read (bench/peer_read.py), by the protocol of bench/protocol.ts: per read and cell, rounds of
 * fresh processes alternating ours and PyTorch with a calibration before, between and after, and
 * disturbed rounds run again. bench/run.ts supplies the processes and prints the rows.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readShape, READS, type Read } from '../src/shared/reads';
import type { CellType } from '../src/shared/types';
import { calibrate, runRounds, type CellResult, type PerThreads } from './protocol';

const here = dirname(fileURLToPath(import.meta.url));

/** Reads the section measures unless told otherwise: all but rows, which the protocol section measures. */
export const BENCH_READS: Read[] = READS.filter((r) => r !== 'rows');

/** Batches a process times at a read: as much work as `rowsBatches` batches of rows, and at least 5. */
export function batchesFor(read: Read, rowsBatches: number): number {
  return Math.max(5, Math.round((rowsBatches * readShape('rows').steps) / readShape(read).steps));
}

/** Parse `--reads` (comma-separated names), naming any that is not a read. */
export function parseReads(list: string | undefined): Read[] {
  if (!list) return BENCH_READS;
  const names = list.split(',');
  const bad = names.filter((n) => !(READS as readonly string[]).includes(n));
  if (bad.length)
    throw new Error(
      `--reads: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length > 1 ? 'are not reads' : 'is not a read'}; expected some of ${READS.join(',')}`,
    );
  return names as Read[];
}

/** What one of our throughput processes reported. */
export interface OursFigure {
  samplesPerSec: number;
  path: string;
  kernel?: string;
  threads?: number;
}

/** PyTorch on the same model and read, or why it gives no fair figure. */
export function peerRead(cell: CellType, read: Read, threads: number, batches: number, hidden: number): number | { refused: string } {
  const script = join(here, 'peer_read.py');
  if (!existsSync('/usr/bin/python3')) return { refused: 'no /usr/bin/python3' };
  const r = spawnSync(
    '/usr/bin/python3',
    [script, '--cell', cell, '--read', read, '--hidden', String(hidden), '--batches', String(batches), '--threads', String(threads)],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return { refused: `the peer failed: ${r.stderr.trim().split('\n').pop()}` };
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  if (!/openblas|mkl|blis/i.test(String(j.blas))) return { refused: `PyTorch loaded the ${j.blas} BLAS; no ratio is reported against it` };
  return j.samples_per_s;
}

/** One read and cell measured by the protocol. */
export interface ReadResult {
  read: Read;
  cell: CellType;
  batches: number;
  result: CellResult;
}

/** Rounds for every read and cell; `ours` runs one fresh process of ours. */
export async function readRounds(opts: {
  reads: Read[];
  cells: CellType[];
  threads: number[];
  rounds: number;
  rowsBatches: number;
  hidden: number;
  peerOk: boolean;
  ours: (cell: CellType, read: Read, threads: number, batches: number) => OursFigure;
}): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  const calThreads = Math.max(...opts.threads);
  for (const read of opts.reads) {
    const batches = batchesFor(read, opts.rowsBatches);
    for (const cell of opts.cells) {
      const { steps, inputs } = readShape(read);
      console.error(`reads: ${cell} reading ${read} (${steps} steps × ${inputs} px), ${batches} batches, ${opts.rounds} rounds wanted…`);
      const result = await runRounds({
        wanted: opts.rounds,
        threads: opts.threads,
        measure: async () => {
          const calibrations = [await calibrate(calThreads)];
          const ours: PerThreads = {};
          const theirs: PerThreads = {};
          let kernel = '';
          for (const t of opts.threads) {
            const o = opts.ours(cell, read, t, batches);
            if (o.path !== 'kernels') throw new Error(`the reads section measures the fused kernels, but ${cell} reading ${read} trained on ${o.path}`);
            ours[t] = o.samplesPerSec;
            kernel = o.kernel ?? '?';
            calibrations.push(await calibrate(calThreads));
            if (!opts.peerOk) continue;
            const p = peerRead(cell, read, t, batches, opts.hidden);
            if (typeof p !== 'number') throw new Error(`PyTorch peer, ${cell} reading ${read} at ${t} threads: ${p.refused}`);
            theirs[t] = p;
            calibrations.push(await calibrate(calThreads));
          }
          return { calibrationMs: calibrations, ours, peer: opts.peerOk ? theirs : null, kernel };
        },
        onRound: (r) => {
          const figures = opts.threads.map((t) => `${t}t ${Math.round(r.ours[t])}${r.peer ? ` vs ${Math.round(r.peer[t])}` : ''}`).join(', ');
          console.error(`  round ${r.index}: ${figures}${r.disturbed.length ? ` — disturbed: ${r.disturbed.join('; ')}` : ''}`);
        },
      });
      out.push({ read, cell, batches, result });
    }
  }
  return out;
}
