import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE } from '../../../src/node/engine/model/artifacts';
import { createModel } from '../../../src/node/engine/model/model';
import { BUILTIN_ID, ModelStore, type ManifestInput } from '../../../src/node/engine/model/store';
import { mnistSlice, tempDir } from '../../helpers';

const meta = (over: Partial<ManifestInput> = {}): ManifestInput => ({
  cell: 'rnn',
  hidden: 16,
  epochs: 1,
  learningRate: 0.001,
  batchSize: 128,
  dataset: 'mnist',
  backend: 'wasm',
  testAccuracy: 0.5,
  command: 'test',
  parent: null,
  history: [],
  ...over,
});

let input: tf.Tensor3D;
beforeAll(async () => {
  const ds = await mnistSlice(10, 8);
  input = tf.tensor3d(ds.test.images, [8, 28, 28]);
});

const outputs = (m: tf.LayersModel) => tf.tidy(() => Array.from((m.predict(input) as tf.Tensor).dataSync()));

/** A store with two saved versions (v0001 older, v0002 active). */
async function twoVersions() {
  const store = new ModelStore(join(tempDir(), 'store'));
  const a = createModel({ cell: 'rnn', hidden: 16, seed: 1 });
  const b = createModel({ cell: 'gru', hidden: 8, seed: 2 });
  await store.save(a, meta({ testAccuracy: 0.1 }));
  await store.save(b, meta({ cell: 'gru', hidden: 8, testAccuracy: 0.2 }));
  return { store, a, b, expectA: outputs(a), expectB: outputs(b) };
}

describe('ModelStore', () => {
  it('round-trips a model: same outputs, manifest with checksums, current pointer', async () => {
    const { store, expectB } = await twoVersions();
    const loaded = await store.load();
    expect(loaded.id).toBe('v0002');
    expect(outputs(loaded.model)).toEqual(expectB);
    expect(loaded.manifest).toMatchObject({ format: 'rnn-lens-model/1', id: 'v0002', cell: 'gru', hidden: 8, dataset: 'mnist', backend: 'wasm' });
    expect(loaded.manifest.files[WEIGHTS_FILE].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.manifest.files[MODEL_FILE].bytes).toBeGreaterThan(100);
    expect(Date.parse(loaded.manifest.createdAt)).not.toBeNaN();
    expect(readFileSync(store.currentFile, 'utf8').trim()).toBe('v0002');
    // The files are standard tfjs: model.json names weights.bin in its weightsManifest.
    const json = JSON.parse(readFileSync(join(store.versionsDir, 'v0002', MODEL_FILE), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(readdirSync(store.versionsDir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses a save or import past its version count or its bytes with a coded error, and writes nothing', async () => {
    const m = createModel({ cell: 'rnn', hidden: 16, seed: 1 });
    const byCount = new ModelStore(join(tempDir(), 'store'), undefined, { versions: 2, bytes: 1e9 });
    await byCount.save(m, meta());
    await byCount.save(m, meta());
    await expect(byCount.save(m, meta())).rejects.toMatchObject({ code: 'tooManyVersions', params: { count: 2, max: 2 } });
    expect(byCount.list().map((v) => v.id)).toEqual(['v0002', 'v0001']);
    // One version of this model is about 6.5 KB on disk: room for two, not three.
    const one = byCount.usedBytes() / 2;
    const byBytes = new ModelStore(join(tempDir(), 'store'), undefined, { versions: 100, bytes: Math.floor(2.5 * one) });
    await byBytes.save(m, meta());
    await byBytes.save(m, meta());
    await expect(byBytes.save(m, meta())).rejects.toMatchObject({ code: 'storeTooLarge' });
    expect(readdirSync(byBytes.versionsDir).sort()).toEqual(['v0001', 'v0002']);
    // Deleting one makes room again.
    byBytes.delete('v0001');
    expect((await byBytes.save(m, meta())).id).toBe('v0003');
  });

  it('lists, activates, deletes, exports and imports versions', async () => {
    const { store, expectA } = await twoVersions();
    expect(store.list().map((v) => [v.id, v.active])).toEqual([
      ['v0002', true],
      ['v0001', false],
    ]);
    const activated = await store.activate('v0001');
    expect(outputs(activated.model)).toEqual(expectA);
    expect(activated.version).toMatchObject({ id: 'v0001', active: true });
    expect(store.activeId()).toBe('v0001');
    expect(outputs((await store.load()).model)).toEqual(expectA);
    expect(() => store.delete('v0001')).toThrow(/v0001 is active: activate another version/);
    const out = join(tempDir(), 'export');
    await store.exportTo('v0001', out);
    expect(readdirSync(out).sort()).toEqual([MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE]);
    await expect(store.exportTo('v0001', out)).rejects.toThrow(/not empty/);
    const imported = await store.importFrom(out);
    expect(imported.id).toBe('v0003');
    expect(imported.manifest.command).toMatch(/\(imported\)$/);
    expect(outputs((await store.load()).model)).toEqual(expectA);
    store.delete('v0002');
    expect(store.list().map((v) => v.id)).toEqual(['v0003', 'v0001']);
    expect(() => store.delete('v0002')).toThrow(/does not exist/);
    expect(() => store.delete('../etc')).toThrow(/not a model version id/);
    await expect(store.activate('v0099')).rejects.toThrow(/does not exist/);
  });

  it('imports a plain tfjs folder without a manifest, and refuses a broken one', async () => {
    const { store } = await twoVersions();
    const src = join(tempDir(), 'plain');
    mkdirSync(src);
    for (const f of [MODEL_FILE, WEIGHTS_FILE]) writeFileSync(join(src, f), readFileSync(join(store.versionsDir, 'v0001', f)));
    const v = await store.importFrom(src);
    expect(v.manifest).toMatchObject({ cell: 'rnn', hidden: 16, testAccuracy: null });
    writeFileSync(join(src, WEIGHTS_FILE), new Uint8Array(10));
    const before = store.list().length;
    await expect(store.importFrom(src)).rejects.toThrow(/weights.bin: is 10 bytes; a rnn-16 model needs exactly 3560/);
    expect(store.list().length).toBe(before);
  });

  // Damaged versions, with three versions so the newest good one is told from any good one: storeFaults.test.ts.

  it('tfjs alone would accept a model.json without weightsManifest; the store does not', async () => {
    const { store } = await twoVersions();
    const dir = join(store.versionsDir, 'v0002');
    const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8'));
    delete json.weightsManifest;
    const bytes = Buffer.from(JSON.stringify(json));
    writeFileSync(join(dir, MODEL_FILE), bytes);
    // Even with matching checksums the missing manifest is caught.
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
    const { sha256 } = await import('../../../src/node/engine/model/durableFs');
    manifest.files[MODEL_FILE] = { sha256: sha256(bytes), bytes: bytes.length };
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    const loaded = await store.load();
    expect(loaded.id).toBe('v0001');
    expect(loaded.quarantined[0].reason).toMatch(/model.json: weightsManifest must be one group naming weights.bin/);
  });

  it('a kill between the temp write and the rename leaves the active model intact', async () => {
    const { store, expectB } = await twoVersions();
    // Simulate the crash: a fully written temp folder that was never renamed, and a stray temp pointer.
    const tmp = join(store.versionsDir, '.tmp-v0003-999');
    mkdirSync(tmp);
    for (const f of [MODEL_FILE, WEIGHTS_FILE]) writeFileSync(join(tmp, f), readFileSync(join(store.versionsDir, 'v0001', f)));
    writeFileSync(join(store.root, '.current.tmp-999-abcd'), 'v0003\n');
    const reopened = new ModelStore(store.root);
    const loaded = await reopened.load();
    expect(loaded.id).toBe('v0002');
    expect(outputs(loaded.model)).toEqual(expectB);
    expect(readdirSync(reopened.versionsDir).sort()).toEqual(['v0001', 'v0002']);
    expect(readdirSync(reopened.quarantineDir).some((n) => n.startsWith('tmp-v0003-999'))).toBe(true);
    // The stray temp copy of the pointer is gone; the pointer itself is untouched.
    expect(readdirSync(reopened.root).sort()).toEqual(['current', 'quarantine', 'versions']);
    expect(readFileSync(reopened.currentFile, 'utf8')).toBe('v0002\n');
    expect((await reopened.save(createModel({ cell: 'rnn', hidden: 4 }), meta({ hidden: 4 }))).id).toBe('v0003');
  });

  it('falls back to the built-in model when no user version is good', async () => {
    const { store: src } = await twoVersions();
    const builtin = join(tempDir(), 'builtin');
    await src.exportTo('v0001', builtin);
    const store = new ModelStore(join(tempDir(), 'empty'), builtin);
    expect(store.activeId()).toBe(BUILTIN_ID);
    expect(store.list()).toMatchObject([{ id: BUILTIN_ID, builtin: true, active: true }]);
    expect((await store.load()).id).toBe(BUILTIN_ID);
    expect(() => store.delete(BUILTIN_ID)).toThrow(/cannot be deleted/);
    const v = await store.save(createModel({ cell: 'rnn', hidden: 4 }), meta({ hidden: 4 }));
    writeFileSync(join(store.versionsDir, v.id, WEIGHTS_FILE), 'x');
    const loaded = await store.load();
    expect(loaded.id).toBe(BUILTIN_ID);
    expect(loaded.quarantined.map((q) => q.id)).toEqual([v.id]);
  });
});
