/**
 * The sample store: one file per sample, written atomically; pages newest first; a
 * cut-off write or a damaged file costs nothing else; the earlier single-file layout
 * is taken in once.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SAMPLES, SampleStore } from '../../../src/node/services/samples';
import { SAMPLES_PAGE } from '../../../src/shared/contract';
import { tempDir } from '../../helpers';

/** A drawing whose pixels say which one it is: pixel i of drawing k is ((k + i) mod 256) / 255. */
const drawing = (k: number) => Array.from({ length: 784 }, (_, i) => ((k + i) % 256) / 255);

describe('the sample store', () => {
  it('writes one small file per added sample and leaves the others untouched', () => {
    const dir = join(tempDir(), 'samples');
    const store = new SampleStore(dir);
    const first = store.add(drawing(1), 1);
    const before = statSync(join(dir, `${first.id}.json`));
    const second = store.add(drawing(2), 2);
    expect(readdirSync(dir).sort()).toEqual([`${first.id}.json`, `${second.id}.json`].sort());
    const after = statSync(join(dir, `${first.id}.json`));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(statSync(join(dir, `${second.id}.json`)).size).toBeLessThan(1500);
    expect(new SampleStore(dir).list().map((s) => [s.id, s.label, s.pixels[0]])).toEqual([
      [second.id, 2, 2 / 255],
      [first.id, 1, 1 / 255],
    ]);
  });

  it('pages newest first: every sample once, in order, with the total', () => {
    const store = new SampleStore(join(tempDir(), 'samples'));
    const n = SAMPLES_PAGE + 37;
    const ids = Array.from({ length: n }, (_, k) => store.add(drawing(k), k % 10).id);
    const first = store.page();
    expect(first.total).toBe(n);
    expect(first.samples).toHaveLength(SAMPLES_PAGE);
    expect(first.samples[0].id).toBe(ids[n - 1]);
    const second = store.page(SAMPLES_PAGE);
    expect(second.samples.map((s) => s.id)).toEqual(ids.slice(0, 37).reverse());
    expect(store.page(5, 3).samples.map((s) => s.id)).toEqual([ids[n - 6], ids[n - 7], ids[n - 8]]);
    expect(store.page(n).samples).toEqual([]);
    expect(store.page(n + 10).samples).toEqual([]);
  });

  it('sweeps the temp file of a write that was cut off and moves a damaged sample aside, keeping the rest', () => {
    const dir = join(tempDir(), 'samples');
    const store = new SampleStore(dir);
    const kept = store.add(drawing(3), 3);
    const damaged = store.add(drawing(4), 4);
    writeFileSync(join(dir, `.${kept.id}.json.tmp-123-abcd`), '{"id":');
    writeFileSync(join(dir, `${damaged.id}.json`), '{"id":"trunc');
    const reopened = new SampleStore(dir);
    expect(reopened.list().map((s) => s.id)).toEqual([kept.id]);
    expect(reopened.notice).toMatch(/could not be read; it was moved to .*\.corrupt-/);
    const names = readdirSync(dir);
    expect(names.some((n) => n.startsWith('.'))).toBe(false);
    expect(names.some((n) => n.startsWith(`${damaged.id}.json.corrupt-`))).toBe(true);
  });

  it('takes in a samples.json of the earlier layout once, keeping ids, and moves it aside', () => {
    const root = tempDir();
    const legacy = join(root, 'samples.json');
    const old = [
      { id: 'saaaaaa1', label: 7, createdAt: '2026-01-01T00:00:00.000Z', pixels: Buffer.from(drawing(7).map((v) => v * 255)).toString('base64') },
      { id: 'saaaaaa2', label: 2, createdAt: '2026-01-02T00:00:00.000Z', pixels: Buffer.from(drawing(2).map((v) => v * 255)).toString('base64') },
      { id: 'bad', label: 12, createdAt: 'x', pixels: '' },
    ];
    writeFileSync(legacy, JSON.stringify({ version: 1, samples: old }));
    const store = new SampleStore(join(root, 'samples'), legacy);
    expect(store.list().map((s) => [s.id, s.label, s.pixels[1]])).toEqual([
      ['saaaaaa2', 2, 3 / 255],
      ['saaaaaa1', 7, 8 / 255],
    ]);
    expect(existsSync(legacy)).toBe(false);
    expect(existsSync(`${legacy}.migrated`)).toBe(true);
    // A crash before the old file moved takes the same samples in again, under the same ids.
    writeFileSync(legacy, readFileSync(`${legacy}.migrated`));
    expect(new SampleStore(join(root, 'samples'), legacy).size).toBe(2);
  });

  it('refuses the sample past the cap with a coded error', () => {
    const dir = join(tempDir(), 'samples');
    const store = new SampleStore(dir);
    const one = JSON.parse(readFileSync(join(dir, `${store.add(drawing(0), 0).id}.json`), 'utf8'));
    for (let k = 1; k < MAX_SAMPLES; k++) {
      const id = `s${k.toString(36).padStart(8, '0')}`;
      writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...one, id }));
    }
    const full = new SampleStore(dir);
    expect(full.size).toBe(MAX_SAMPLES);
    expect(() => full.add(drawing(0), 0)).toThrow(expect.objectContaining({ code: 'tooManySamples' }));
  });
});
