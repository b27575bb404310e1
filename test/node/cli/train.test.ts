import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from '../../../src/node/cli/args';
import { tempDir } from '../../helpers';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/node/cli/train.ts', ...args], { cwd: process.cwd() }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

describe('train CLI flags', () => {
  it('takes a learning-rate schedule', () => {
    expect(parseTrainArgs(['--schedule', 'onecycle', '--lr', '0.02']).config).toMatchObject({ schedule: 'onecycle', learningRate: 0.02 });
  });

  it('defaults to the tutorial setup', () => {
    expect(parseTrainArgs([]).config).toEqual({
      cell: 'rnn',
      hidden: 128,
      epochs: 30,
      learningRate: 0.001,
      batchSize: 128,
      limit: 0,
      seed: 42,
      schedule: 'constant',
      read: 'rows',
    });
  });

  it.each(['rows', 'cols', 'rows-reversed', 'pixels:14', 'pixels:7', 'pixels:4', 'pixels:2', 'pixels:1'])('takes --read %s', (read) => {
    expect(parseTrainArgs(['--read', read]).config.read).toBe(read);
  });

  it.each([
    [['--cell', 'cnn'], /--cell must be one of rnn, lstm, gru, got "cnn"/],
    [['--schedule', 'cosine'], /--schedule must be one of constant, onecycle, got "cosine"/],
    [
      ['--read', 'diagonal'],
      /--read "diagonal" is not a reading order: expected one of rows, cols, rows-reversed, pixels:14, pixels:7, pixels:4, pixels:2, pixels:1/,
    ],
    [['--read', 'pixels:3'], /--read "pixels:3" is not a reading order/],
    [['--epochs', '0'], /--epochs must be at least 1, got 0/],
    [['--hidden', '2000'], /--hidden must be at most 1024, got 2000/],
    [['--epochs', '2.5'], /--epochs must be a whole number, got "2.5"/],
    [['--lr', 'fast'], /--lr must be a number, got "fast"/],
    [['--lr=-1'], /--lr must be greater than 0/],
    [['--batch', '1e9'], /--batch must be a whole number/],
    [['--backend', 'cuda'], /--backend must be tensorflow, wasm or cpu/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--out', ''], /--out needs a folder path/],
    [['stray'], /positional/i],
  ])('%j is refused with a message naming it', (argv, re) => {
    expect(() => parseTrainArgs(argv as string[])).toThrow(re);
  });
});

describe('train CLI', () => {
  it('prints one tutorial line per epoch and saves a version', async () => {
    const out = join(tempDir(), 'models');
    const r = await cli(['--epochs', '2', '--hidden', '16', '--limit', '256', '--test-limit', '100', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backend: (wasm|tensorflow|cpu)/);
    // No cache in the CLI: both paths are timed on a few batches every run.
    expect(r.stdout).toMatch(/^Training on (fused kernels|tfjs layers on \w+): measured \(kernels \d+ vs tfjs \d+ samples\/s\)$/m);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('Epoch'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Epoch 0001 {2}avg cost \d\.\d{3} {2}test acc 0\.\d{4} {2}\(\d+ samples\/s\)$/);
    expect(r.stdout).toMatch(/Test accuracy: 0\.\d{4}/);
    expect(r.stdout).toContain(`Saved model v0001 to ${out}/versions/v0001`);
    expect(readdirSync(join(out, 'versions', 'v0001')).sort()).toEqual(['manifest.json', 'model.json', 'weights.bin']);
  });

  it('trains a long read and records it in the saved model', async () => {
    const out = join(tempDir(), 'models');
    const r = await cli(['--read', 'pixels:7', '--cell', 'gru', '--epochs', '1', '--hidden', '16', '--limit', '256', '--test-limit', '100', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gru-16 reading pixels:7 \(112 steps of 7 px\)/);
    const dir = join(out, 'versions', 'v0001');
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toMatchObject({ cell: 'gru', hidden: 16, read: 'pixels:7' });
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.userDefinedMetadata).toEqual({ read: 'pixels:7' });
    expect(modelJson.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 112, 7]);
  });

  it('exits non-zero and names a bad flag or folder', async () => {
    const bad = await cli(['--hidden', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--hidden must be a whole number, got "many"/);
    const read = await cli(['--read', 'spiral']);
    expect(read.code).toBe(2);
    expect(read.stderr).toMatch(/--read "spiral" is not a reading order/);
    const missing = await cli(['--data', '/nonexistent/mnist']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--data folder \/nonexistent\/mnist does not exist/);
  });
});
