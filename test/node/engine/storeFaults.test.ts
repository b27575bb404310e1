/**
 * Damaged versions in a store of three: v0001 (SimpleRNN-16), v0002 (GRU-8) and v0003
 * (LSTM-8, active). With three, falling back to the *newest* good version (v0002) is
 * told apart from falling back to *any* good one (v0001). Stores are compared by the
 * sha256 of every file: after a fallback every byte is still there, the good versions
 * untouched and the damaged one moved to quarantine.
 *
 * Besides damage the checksums catch, the cases rewrite a file and then correct its
 * checksum in the manifest, so only the deeper checks can catch them: non-finite
 * weights, weight shapes that are not the model's, a weights file of the wrong size for
 * its model.json, and a manifest whose cell or size disagrees with the weights.
 */
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE } from '../../../src/node/engine/model/artifacts';
import { sha256 } from '../../../src/node/engine/model/durableFs';
import { createModel } from '../../../src/node/engine/model/model';
import { ModelStore, type ManifestInput } from '../../../src/node/engine/model/store';
import type { CellType } from '../../../src/shared/types';
import { mnistSlice, tempDir } from '../../helpers';

let input: tf.Tensor3D;
beforeAll(async () => {
  const ds = await mnistSlice(1, 8);
  input = tf.tensor3d(ds.test.images, [8, 28, 28]);
});

const outputs = (m: tf.LayersModel) => tf.tidy(() => Array.from((m.predict(input) as tf.Tensor).dataSync()));

const meta = (cell: CellType, hidden: number): ManifestInput => ({
  cell,
  hidden,
  epochs: 1,
  learningRate: 0.001,
  batchSize: 128,
  dataset: 'mnist',
  backend: 'wasm',
  testAccuracy: 0.5,
  command: 'test',
  parent: null,
  history: [],
});

const SPECS: [CellType, number, number][] = [
  ['rnn', 16, 1],
  ['gru', 8, 2],
  ['lstm', 8, 3],
];

/** A store holding v0001..v0003 (v0003 active), and each version's outputs on eight test digits. */
async function threeVersions() {
  const store = new ModelStore(join(tempDir(), 'store'));
  const expected: Record<string, number[]> = {};
  for (const [cell, hidden, seed] of SPECS) {
    const m = createModel({ cell, hidden, seed });
    const v = await store.save(m, meta(cell, hidden));
    expected[v.id] = outputs(m);
    m.dispose();
  }
  expect(store.activeId()).toBe('v0003');
  return { store, expected };
}

/** sha256 of every file under the store (but the `current` pointer), by path relative to the root. */
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

/** Replace a file of a version and correct its size and sha256 in the manifest, so the checksums pass. */
function rewriteWithChecksum(dir: string, file: typeof MODEL_FILE | typeof WEIGHTS_FILE, bytes: Uint8Array): void {
  writeFileSync(join(dir, file), bytes);
  editManifest(dir, (m) => {
    m.files[file] = { sha256: sha256(bytes), bytes: bytes.length };
  });
}

function editManifest(dir: string, edit: (m: { cell: string; hidden: number; files: Record<string, { sha256: string; bytes: number }> }) => void): void {
  const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  edit(m);
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(m));
}

function editModelJson(
  dir: string,
  edit: (json: { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } }; weightsManifest: { weights: { shape: number[] }[] }[] }) => void,
): void {
  const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8'));
  edit(json);
  rewriteWithChecksum(dir, MODEL_FILE, Buffer.from(JSON.stringify(json)));
}

function editWeights(dir: string, edit: (values: Float32Array) => Float32Array): void {
  const buf = readFileSync(join(dir, WEIGHTS_FILE));
  const values = edit(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)));
  rewriteWithChecksum(dir, WEIGHTS_FILE, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Damage to v0003 (an LSTM-8) and the reason the store must give. */
const faults: [string, (dir: string) => void, RegExp][] = [
  // Caught by the checksums.
  [
    'truncated weights',
    (d) => writeFileSync(join(d, WEIGHTS_FILE), readFileSync(join(d, WEIGHTS_FILE)).subarray(0, 100)),
    /weights.bin: is 100 bytes.*truncated/,
  ],
  [
    'zeroed weights',
    (d) => writeFileSync(join(d, WEIGHTS_FILE), new Uint8Array(readFileSync(join(d, WEIGHTS_FILE)).length)),
    /weights.bin: sha256 does not match/,
  ],
  ['extra bytes in weights', (d) => writeFileSync(join(d, WEIGHTS_FILE), Buffer.concat([readFileSync(join(d, WEIGHTS_FILE)), Buffer.alloc(8)])), /extra bytes/],
  [
    'a flipped byte in model.json',
    (d) =>
      writeFileSync(
        join(d, MODEL_FILE),
        readFileSync(join(d, MODEL_FILE)).map((b, i) => (i === 40 ? b ^ 1 : b)),
      ),
    /model.json: sha256 does not match/,
  ],
  ['missing weights', (d) => rmSync(join(d, WEIGHTS_FILE)), /weights.bin: is missing/],
  ['empty manifest', (d) => writeFileSync(join(d, MANIFEST_FILE), ''), /manifest.json: file is empty/],
  ['missing manifest', (d) => rmSync(join(d, MANIFEST_FILE)), /manifest.json: is missing/],
  // Checksums corrected: only the checks behind them can tell.
  ['a NaN weight', (d) => editWeights(d, (v) => v.map((x, i) => (i === 123 ? NaN : x))), /weights.bin: holds a non-finite value at index 123/],
  [
    'an infinite weight',
    (d) => editWeights(d, (v) => v.map((x, i) => (i === v.length - 1 ? -Infinity : x))),
    /weights.bin: holds a non-finite value at index \d+/,
  ],
  [
    'weights short by one value, model.json unchanged',
    (d) => editWeights(d, (v) => v.slice(0, v.length - 1)),
    /weights.bin: is \d+ bytes, the weight specs need \d+/,
  ],
  [
    'a weight shape that is not the model’s',
    (d) =>
      editModelJson(d, (j) => {
        j.weightsManifest[0].weights[1].shape = [32, 8];
      }),
    /model.json: weightsManifest\[0\]\.weights\[1\]\.shape is \[32,8\], expected \[8,32\]/,
  ],
  [
    'model.json claims 16 units over an 8-unit model’s weights',
    (d) =>
      editModelJson(d, (j) => {
        j.modelTopology.config.layers[0].config.units = 16;
      }),
    /model.json: weightsManifest\[0\]\.weights\[0\]\.shape is \[28,32\], expected \[28,64\]/,
  ],
  [
    'a manifest naming another cell',
    (d) =>
      editManifest(d, (m) => {
        m.cell = 'gru';
      }),
    /model.json: holds a lstm-8 model, the manifest says gru-8/,
  ],
  [
    'a manifest naming another size',
    (d) =>
      editManifest(d, (m) => {
        m.hidden = 16;
      }),
    /model.json: holds a lstm-8 model, the manifest says lstm-16/,
  ],
];

describe('ModelStore with damaged versions, three versions deep', () => {
  it.each(faults)('%s: moved aside, falls back to the newest good version (v0002), every byte kept', async (_name, damage, reason) => {
    const { store, expected } = await threeVersions();
    const v3 = join(store.versionsDir, 'v0003');
    damage(v3);
    const before = digests(store.root);

    const loaded = await store.load();
    expect(loaded.quarantined.map((q) => [q.id, q.reason])).toEqual([['v0003', expect.stringMatching(reason)]]);
    expect(loaded.id).toBe('v0002');
    expect(outputs(loaded.model)).toEqual(expected.v0002);
    expect(store.activeId()).toBe('v0002');
    expect(readFileSync(store.currentFile, 'utf8').trim()).toBe('v0002');
    loaded.model.dispose();

    // Every file is still there with the same sha256: v0001 and v0002 in place, v0003 in quarantine.
    const after = digests(store.root);
    expect([...after.values()].sort()).toEqual([...before.values()].sort());
    for (const [path, sum] of before) {
      if (path.startsWith('versions/v0003/')) {
        const moved = [...after].filter(([p, s]) => p.startsWith('quarantine/v0003-') && p.endsWith(path.slice('versions/v0003'.length)) && s === sum);
        expect(moved, path).toHaveLength(1);
      } else {
        expect(after.get(path), path).toBe(sum);
      }
    }
    expect(store.list().map((v) => v.id)).toEqual(['v0002', 'v0001']);
  });

  it('with the two newest damaged, falls back to v0001, moving both aside newest first', async () => {
    const { store, expected } = await threeVersions();
    editWeights(join(store.versionsDir, 'v0003'), (v) => v.map((x, i) => (i === 0 ? NaN : x)));
    editManifest(join(store.versionsDir, 'v0002'), (m) => {
      m.hidden = 16;
    });
    const loaded = await store.load();
    expect(loaded.quarantined.map((q) => q.id)).toEqual(['v0003', 'v0002']);
    expect(loaded.id).toBe('v0001');
    expect(outputs(loaded.model)).toEqual(expected.v0001);
    loaded.model.dispose();
  });

  it('when the active version is an older one and is damaged, falls back to the newest good version, not the next older', async () => {
    const { store, expected } = await threeVersions();
    (await store.activate('v0002')).model.dispose();
    editWeights(join(store.versionsDir, 'v0002'), (v) => v.map((x, i) => (i === 5 ? Infinity : x)));
    const loaded = await store.load();
    expect(loaded.quarantined.map((q) => q.id)).toEqual(['v0002']);
    expect(loaded.id).toBe('v0003');
    expect(outputs(loaded.model)).toEqual(expected.v0003);
    loaded.model.dispose();
  });

  it('a sound store loads its active version and leaves every file as it was', async () => {
    const { store, expected } = await threeVersions();
    const before = digests(store.root);
    const loaded = await new ModelStore(store.root).load();
    expect(loaded).toMatchObject({ id: 'v0003', quarantined: [] });
    expect(outputs(loaded.model)).toEqual(expected.v0003);
    loaded.model.dispose();
    expect(digests(store.root)).toEqual(before);
  });
});
