/**
 * Crash safety of the model store, exercised rather than simulated: a child process
 * (storeWriter.ts) saves versions in a loop and is SIGKILLed at a random moment, twenty
 * times over. After every kill a fresh ModelStore opens the folder, and
 *  - every version in versions/ verifies (sizes, sha256) and loads;
 *  - no version that was complete before is missing, and every file that was in the
 *    store before the writer started is still there with the same sha256;
 *  - every save the writer reported is there;
 *  - no temp folder or temp pointer is left where the store reads (they are moved to
 *    quarantine or removed), and `current` names a version that loads.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelToBytes } from '../../../src/node/engine/model/artifacts';
import { sha256 } from '../../../src/node/engine/model/durableFs';
import { createModel } from '../../../src/node/engine/model/model';
import { ModelStore } from '../../../src/node/engine/model/store';
import { pinBackend, tempDir } from '../../helpers';

const here = dirname(fileURLToPath(import.meta.url));
/** At least this many kills, and more (up to MAX_KILLS) until MID_SAVE of them have cut a save short. */
const KILLS = 20;
const MID_SAVE = 3;
const MAX_KILLS = 40;
/** Kills are spread over this many milliseconds after the writer is ready: several saves' worth. */
const KILL_WINDOW_MS = 150;

let writer: string;
let models: string;
beforeAll(async () => {
  await pinBackend('cpu');
  // Three different models for the writer to save in turn, serialized here so it need not build them.
  models = tempDir('rnn-lens-crash-models-');
  for (const [k, [cell, hidden]] of (
    [
      ['rnn', 8],
      ['gru', 8],
      ['lstm', 8],
    ] as const
  ).entries()) {
    const m = createModel({ cell, hidden, seed: k + 1 });
    const bytes = await modelToBytes(m);
    m.dispose();
    writeFileSync(join(models, `${k}.json`), bytes.modelJson);
    writeFileSync(join(models, `${k}.bin`), bytes.weights);
    writeFileSync(join(models, `${k}.cell`), `${cell}-${hidden}`);
  }
  // One bundle of the writer instead of running it through tsx: a start then costs about
  // half the CPU time (some 1.3 s instead of 3), which matters over twenty starts. It sits under node_modules so
  // that its package imports resolve.
  const cache = join(here, '..', '..', '..', 'node_modules', '.cache', 'rnn-lens-tests');
  mkdirSync(cache, { recursive: true });
  writer = join(cache, `storeWriter-${process.pid}.mjs`);
  await build({
    entryPoints: [join(here, 'storeWriter.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    logLevel: 'error',
  });
});
afterAll(() => rmSync(writer, { force: true }));

/** sha256 of every file under the store but `current`, by path relative to the root. */
function digests(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p !== join(root, 'current')) out.set(relative(root, p), sha256(readFileSync(p)));
    }
  };
  walk(root);
  return out;
}

/** Start the writer, let it save for `delayMs` after it is ready, SIGKILL it; returns the ids it reported saved. */
function runAndKill(root: string, delayMs: number): Promise<{ saved: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = fork(writer, [root, models], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const saved: string[] = [];
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m: { ready?: boolean; saved?: string }) => {
      if (m.saved) saved.push(m.saved);
      if (m.ready)
        setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, delayMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed) reject(new Error(`the writer exited on its own (code ${code}, signal ${signal}):\n${stderr}`));
      else resolve({ saved, signal });
    });
  });
}

describe('ModelStore under SIGKILL', () => {
  it(`loses nothing over ${KILLS} or more kills of a process saving versions in a loop`, async () => {
    const root = join(tempDir('rnn-lens-crash-'), 'store');
    const reported = new Set<string>();
    let known = new Map<string, string>(); // the store's files after the last reopen
    let verified = new Set<string>(); // versions already loaded once
    let midSave = 0;
    let quarantined = 0;
    const log: string[] = [];

    let k = 0;
    for (; k < MAX_KILLS && (k < KILLS || midSave < MID_SAVE); k++) {
      const delay = Math.round(Math.random() * KILL_WINDOW_MS);
      const { saved, signal } = await runAndKill(root, delay);
      expect(signal).toBe('SIGKILL');
      saved.forEach((id) => reported.add(id));
      const tempsLeft = readdirSync(join(root, 'versions')).filter((n) => n.startsWith('.tmp-')).length;
      const pointerTemps = readdirSync(root).filter((n) => n.startsWith('.current.tmp-')).length;
      if (tempsLeft) midSave++;
      const where = `kill ${k + 1} after ${delay} ms (${saved.length} saves reported, ${tempsLeft} temp folders, ${pointerTemps} temp pointers)`;
      log.push(where);

      const store = new ModelStore(root);
      // Temp folders and temp pointers are gone from where the store reads.
      expect(
        readdirSync(store.versionsDir).filter((n) => n.startsWith('.')),
        where,
      ).toEqual([]);
      expect(
        readdirSync(root).filter((n) => n.startsWith('.')),
        where,
      ).toEqual([]);
      // Each temp folder was moved to quarantine, not deleted; the quarantine holds nothing else.
      const aside = readdirSync(store.quarantineDir);
      expect(aside.length, where).toBe(quarantined + tempsLeft);
      expect(
        aside.every((n) => /^tmp-v\d{4}-\d+-\d+$/.test(n)),
        where,
      ).toBe(true);
      quarantined = aside.length;
      const ids = readdirSync(store.versionsDir).sort();
      expect(
        ids.every((id) => /^v\d{4}$/.test(id)),
        where,
      ).toBe(true);

      // Every file the store held before this writer started is still there, unchanged.
      const now = digests(root);
      for (const [path, sum] of known) expect(now.get(path), `${where}: ${path}`).toBe(sum);
      // Every save the writers reported is there.
      for (const id of reported) expect(ids, `${where}: reported ${id}`).toContain(id);

      // Every version verifies; the ones new since the last kill also load.
      for (const id of ids) {
        expect(() => store.readVersion(id), `${where}: ${id}`).not.toThrow();
        if (!verified.has(id)) (await store.loadVersion(id)).model.dispose();
      }
      verified = new Set(ids);

      // The pointer names a complete version (or nothing, before the first save), and loading it quarantines nothing.
      const current = store.currentId();
      if (ids.length) {
        expect(ids, `${where}: current`).toContain(current);
        // Every save activates its version before it returns, so the pointer is never behind a save
        // the writer reported (it may be behind saves that were cut short before their activation).
        const lastReported = [...reported].sort().at(-1);
        if (lastReported) expect(current! >= lastReported, `${where}: current ${current}, last reported save ${lastReported}`).toBe(true);
        const loaded = await store.load();
        expect(loaded.quarantined, where).toEqual([]);
        expect(loaded.id).toBe(current);
        loaded.model.dispose();
      } else {
        expect(current).toBeNull();
      }
      known = digests(root);
    }
    console.log(`store crash test: ${k} kills, ${midSave} in the middle of a save, ${verified.size} versions\n  ${log.join('\n  ')}`);
    // The kills landed inside saves, not only between them; otherwise this test would prove little.
    expect(k).toBeGreaterThanOrEqual(KILLS);
    expect(midSave).toBeGreaterThanOrEqual(MID_SAVE);
    expect(verified.size).toBeGreaterThanOrEqual(3);
  });
});
