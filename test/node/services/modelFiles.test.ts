/**
 * Export and import take no path from the page: in the desktop app only the
 * folder the person picked in the (here mocked) dialog is read or written; in web
 * mode export is a download and import an upload, and nothing outside the data
 * folder is touched on a client's say-so.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatch } from '../../../src/node/services/dispatch';
import { tempDir } from '../../helpers';
import { makeServices } from '../fixtures';

/** Every path under `dir`, for before/after comparisons. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

describe('model files in the desktop app (dialog mocked)', () => {
  it('exports only into the folder the person picked, and imports only the folder picked', async () => {
    const picked = tempDir('rnn-lens-picked-');
    const asked: string[] = [];
    let answer: string | null = picked;
    const { services, userData } = await makeServices({ pickFolder: async (purpose) => (asked.push(purpose), answer) });
    const dispatch = createDispatch(services);
    const outside = tempDir('rnn-lens-outside-');

    // A path in the request is refused by the contract before any handler runs.
    const sneaky = await dispatch('models:export', { id: 'v0001', dest: outside });
    expect(sneaky).toMatchObject({ ok: false, error: expect.stringMatching(/^models:export: invalid request: payload: Unrecognized key: "dest"/) });
    const sneakyImport = await dispatch('models:import', { src: '/etc' });
    expect(sneakyImport).toMatchObject({ ok: false, error: expect.stringMatching(/^models:import: invalid request: payload: Unrecognized key: "src"/) });
    expect(tree(outside)).toEqual([]);
    expect(asked).toEqual([]);

    const exported = await dispatch('models:export', { id: 'v0001' });
    expect(exported).toEqual({ ok: true, value: { path: join(picked, 'rnn-lens-v0001') } });
    expect(tree(picked)).toEqual(['rnn-lens-v0001', 'rnn-lens-v0001/manifest.json', 'rnn-lens-v0001/model.json', 'rnn-lens-v0001/weights.bin']);

    answer = null;
    expect(await dispatch('models:export', { id: 'v0001' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(await dispatch('models:import', {})).toEqual({ ok: true, value: { cancelled: true } });

    answer = join(picked, 'rnn-lens-v0001');
    const imported = await dispatch('models:import', {});
    expect(imported).toMatchObject({ ok: true, value: { id: 'v0002', manifest: { cell: 'rnn', hidden: 16 } } });
    expect(services.status().active?.id).toBe('v0002');
    expect(asked).toEqual(['export', 'export', 'import', 'import']);
    expect(existsSync(join(userData, 'models', 'versions', 'v0002', 'weights.bin'))).toBe(true);
  });
});

describe('model files in web mode (no dialog)', () => {
  it('exports as a download without writing anywhere, refuses folder import, and imports uploads', async () => {
    const { services, userData } = await makeServices();
    const dispatch = createDispatch(services);
    const before = tree(userData);
    const r = await dispatch('models:export', { id: 'v0001' });
    expect(r.ok).toBe(true);
    const download = (r as { value: { download: { folder: string; files: { name: string; base64: string }[] } } }).value.download;
    expect(download.folder).toBe('rnn-lens-v0001');
    expect(download.files.map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'manifest.json']);
    const weights = Buffer.from(download.files[1].base64, 'base64');
    expect(weights.equals(readFileSync(join(userData, 'models', 'versions', 'v0001', 'weights.bin')))).toBe(true);
    expect(tree(userData)).toEqual(before);

    expect(await dispatch('models:import', {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/import a model by uploading its model\.json and weights\.bin/),
    });

    // Upload what was downloaded, as the browser would after the person renames nothing.
    const files = download.files.map((f) => ({ name: `${download.folder}-${f.name}`, base64: f.base64 }));
    const up = await dispatch('models:upload', { files });
    expect(up).toMatchObject({ ok: true, value: { id: 'v0002' } });
    expect(services.status().active?.id).toBe('v0002');

    // A damaged upload is refused by name, and nothing is written.
    const mid = tree(userData);
    const bad = await dispatch('models:upload', { files: [files[0], { name: 'weights.bin', base64: Buffer.alloc(8).toString('base64') }] });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/weights\.bin: is 8 bytes; a rnn-16 model needs exactly/) });
    const missing = await dispatch('models:upload', { files: [files[0]] });
    expect(missing).toMatchObject({ ok: false, error: expect.stringMatching(/weights\.bin: is missing/) });
    expect(tree(userData)).toEqual(mid);
  });

  it('never reads a path a client names: upload file names are only labels', async () => {
    const { services, userData } = await makeServices();
    const dispatch = createDispatch(services);
    const secret = tempDir('rnn-lens-secret-');
    mkdirSync(join(secret, 'm'));
    writeFileSync(join(secret, 'm', 'model.json'), '{}');
    const r = await dispatch('models:upload', {
      files: [
        { name: join(secret, 'm', 'model.json'), base64: '' },
        { name: '/etc/passwd/weights.bin', base64: '' },
      ],
    });
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/model\.json: content is not valid UTF-8 JSON/) });
    expect(existsSync(join(userData, 'models', 'versions', 'v0002'))).toBe(false);
  });
});
