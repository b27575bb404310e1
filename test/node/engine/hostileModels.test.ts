/**
 * 100 hostile model folders through import: each is refused with an error that
 * names the file and the field, nothing reaches the store, and tfjs holds no more
 * memory afterwards than before.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelToBytes } from '../../../src/node/engine/model/artifacts';
import { initBackend } from '../../../src/node/engine/backend';
import { sha256 } from '../../../src/node/engine/model/durableFs';
import { createModel } from '../../../src/node/engine/model/model';
import { readModelFolder } from '../../../src/node/engine/model/folder';
import { ModelStore } from '../../../src/node/engine/model/store';
import { tempDir } from '../../helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Hostile {
  name: string;
  /** Builds the folder's files; returns the file the error must name. */
  make(dir: string): string;
  /** A word the error must contain besides the file (the field or what is wrong). */
  field: RegExp;
}

let good: { modelJson: Buffer; weights: Buffer; manifest: Json };
const root = tempDir('rnn-lens-hostile-');

beforeAll(async () => {
  await initBackend('wasm');
  const model = createModel({ cell: 'rnn', hidden: 16 });
  const bytes = await modelToBytes(model);
  model.dispose();
  const store = new ModelStore(join(root, 'source'));
  const v = await store.saveBytes(bytes.modelJson, bytes.weights, {
    cell: 'rnn',
    hidden: 16,
    epochs: 1,
    learningRate: 0.001,
    batchSize: 128,
    dataset: 'mnist',
    backend: 'wasm',
    testAccuracy: 0.5,
    command: 'fixture',
    parent: null,
    history: [],
  });
  good = { modelJson: Buffer.from(bytes.modelJson), weights: Buffer.from(bytes.weights), manifest: v.manifest as unknown as Json };
});

const json = () => JSON.parse(good.modelJson.toString()) as Json;
const rec = (j: Json) => j.modelTopology.config.layers[0];
const head = (j: Json) => j.modelTopology.config.layers[1];
const specs = (j: Json) => j.weightsManifest[0].weights as Json[];

/** A folder with model.json (edited), weights.bin (given or the good one) and no manifest. */
function topo(name: string, edit: (j: Json) => void, field: RegExp, weights?: Buffer): Hostile {
  return {
    name,
    field,
    make(dir) {
      const j = json();
      edit(j);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
      writeFileSync(join(dir, 'weights.bin'), weights ?? good.weights);
      return 'model.json';
    },
  };
}

/** A folder with the good files and a manifest edited after its checksums were taken. */
function manifest(name: string, edit: (m: Json) => void, field: RegExp, text?: (m: Json) => string): Hostile {
  return {
    name,
    field,
    make(dir) {
      writeFileSync(join(dir, 'model.json'), good.modelJson);
      writeFileSync(join(dir, 'weights.bin'), good.weights);
      const m = structuredClone(good.manifest);
      edit(m);
      writeFileSync(join(dir, 'manifest.json'), text ? text(m) : JSON.stringify(m));
      return 'manifest.json';
    },
  };
}

function weightsCase(name: string, weights: () => Buffer, field: RegExp): Hostile {
  return {
    name,
    field,
    make(dir) {
      writeFileSync(join(dir, 'model.json'), good.modelJson);
      writeFileSync(join(dir, 'weights.bin'), weights());
      return 'weights.bin';
    },
  };
}

/** Names every plain object answers to: a lookup table keyed by file data must find none of them. */
const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'];

function hostile(): Hostile[] {
  const out: Hostile[] = [];
  for (const units of [16384, 1025, 4096, 0, -1, 1.5, '16', null, 1e9, NaN])
    out.push(topo(`units ${units}`, (j) => (rec(j).config.units = units), /layers\[0\]\.config\.units/));
  for (const cls of ['Dense', 'Conv1D', 'Bidirectional', 'ConvLSTM2D', 'SimpleRNNCell', 'Lambda', '', null, ...PROTOTYPE_KEYS])
    out.push(topo(`recurrent class ${cls}`, (j) => (rec(j).class_name = cls), /layers\[0\]\.class_name/));
  out.push(topo('functional model', (j) => (j.modelTopology.class_name = 'Model'), /class_name/));
  out.push(topo('no topology', (j) => delete j.modelTopology, /modelTopology/));
  out.push(topo('topology not an object', (j) => (j.modelTopology = 'x'), /modelTopology/));
  out.push(topo('one layer', (j) => j.modelTopology.config.layers.pop(), /layers/));
  out.push(topo('no layers', (j) => (j.modelTopology.config.layers = []), /layers/));
  out.push(topo('extra dense', (j) => j.modelTopology.config.layers.push(head(j)), /layers/));
  out.push(topo('extra dropout first', (j) => j.modelTopology.config.layers.unshift({ class_name: 'Dropout', config: { rate: 0.5 } }), /layers/));
  out.push(topo('layers swapped', (j) => j.modelTopology.config.layers.reverse(), /layers\[0\]/));
  const recField: [string, unknown, RegExp][] = [
    ['name', 'other', /config\.name/],
    ['activation', 'relu', /config\.activation/],
    ['activation', 'linear', /config\.activation/],
    ['use_bias', false, /use_bias/],
    ['return_sequences', true, /return_sequences/],
    ['go_backwards', true, /go_backwards/],
    ['stateful', true, /stateful/],
    ['return_state', true, /return_state/],
    ['batch_input_shape', [null, 28, 27], /batch_input_shape/],
    ['batch_input_shape', [null, 784], /batch_input_shape/],
    ['batch_input_shape', [1e9, 28, 28], /batch_input_shape/],
    ['batch_input_shape', null, /batch_input_shape/],
  ];
  for (const [k, v, f] of recField) out.push(topo(`recurrent ${k}=${JSON.stringify(v)}`, (j) => (rec(j).config[k] = v), f));
  out.push(
    topo(
      'gru with reset_after',
      (j) => Object.assign(rec(j), { class_name: 'GRU' }, { config: { ...rec(j).config, recurrent_activation: 'sigmoid', reset_after: true } }),
      /reset_after/,
    ),
  );
  out.push(
    topo(
      'lstm with hard sigmoid',
      (j) => Object.assign(rec(j), { class_name: 'LSTM' }, { config: { ...rec(j).config, recurrent_activation: 'hard_sigmoid' } }),
      /recurrent_activation/,
    ),
  );
  const headField: [string, unknown, RegExp][] = [
    ['units', 11, /layers\[1\]\.config\.units/],
    ['units', 1e6, /layers\[1\]\.config\.units/],
    ['activation', 'linear', /layers\[1\]\.config\.activation/],
    ['use_bias', false, /layers\[1\]\.config\.use_bias/],
    ['name', 'x', /layers\[1\]\.config\.name/],
  ];
  for (const [k, v, f] of headField) out.push(topo(`head ${k}=${JSON.stringify(v)}`, (j) => (head(j).config[k] = v), f));
  out.push(topo('head not Dense', (j) => (head(j).class_name = 'Activation'), /layers\[1\]\.class_name/));
  // Weight specs.
  out.push(topo('no weightsManifest', (j) => delete j.weightsManifest, /weightsManifest/));
  out.push(topo('two groups', (j) => j.weightsManifest.push(j.weightsManifest[0]), /weightsManifest/));
  out.push(topo('path outside', (j) => (j.weightsManifest[0].paths = ['../../../etc/passwd']), /paths/));
  out.push(topo('two paths', (j) => (j.weightsManifest[0].paths = ['./weights.bin', './weights2.bin']), /paths/));
  out.push(topo('quantized kernel', (j) => (specs(j)[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }), /weights\[0\]\.quantization.*no quantization/));
  out.push(topo('quantized head bias', (j) => (specs(j)[4].quantization = { dtype: 'float16' }), /weights\[4\]\.quantization/));
  out.push(topo('group field', (j) => (specs(j)[1].group = 'model'), /weights\[1\]\.group/));
  for (const dt of ['float16', 'int32', 'bool', 'string', 'complex64']) out.push(topo(`dtype ${dt}`, (j) => (specs(j)[2].dtype = dt), /weights\[2\]\.dtype/));
  out.push(topo('spec renamed', (j) => (specs(j)[0].name = 'recurrent/kernel_x'), /weights\[0\]\.name/));
  out.push(topo('spec shape huge', (j) => (specs(j)[1].shape = [100000, 100000]), /weights\[1\]\.shape/));
  out.push(topo('spec shape swapped', (j) => (specs(j)[3].shape = [10, 16]), /weights\[3\]\.shape/));
  out.push(topo('spec missing', (j) => specs(j).pop(), /weights/));
  out.push(topo('spec extra', (j) => specs(j).push(specs(j)[4]), /weights/));
  out.push(topo('specs reordered', (j) => specs(j).reverse(), /weights\[0\]\.name/));
  // Weights.
  const nanAt = (i: number, v: number) => () => {
    const w = Buffer.from(good.weights);
    w.writeFloatLE(v, i * 4);
    return w;
  };
  out.push(weightsCase('NaN weight', nanAt(0, NaN), /non-finite value at index 0/));
  out.push(weightsCase('Infinity weight', nanAt(100, Infinity), /non-finite value at index 100/));
  out.push(weightsCase('-Infinity last weight', nanAt(good.weights.length / 4 - 1, -Infinity), /non-finite value/));
  out.push(weightsCase('4-byte weights', () => Buffer.alloc(4), /needs exactly/));
  out.push(weightsCase('empty weights', () => Buffer.alloc(0), /needs exactly/));
  out.push(weightsCase('truncated weights', () => good.weights.subarray(0, good.weights.length - 4), /needs exactly/));
  out.push(weightsCase('extra bytes', () => Buffer.concat([good.weights, Buffer.alloc(4)]), /more than/));
  out.push(weightsCase('double size', () => Buffer.concat([good.weights, good.weights]), /more than/));
  // Not JSON.
  for (const [label, body] of [
    ['empty', ''],
    ['not json', 'hello'],
    ['array', '[]'],
    ['null', 'null'],
    ['bad utf8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['nested', '['.repeat(30000) + ']'.repeat(30000)],
  ] as const) {
    out.push({
      name: `model.json ${label}`,
      field: /content|modelTopology/,
      make(dir) {
        writeFileSync(join(dir, 'model.json'), body);
        writeFileSync(join(dir, 'weights.bin'), good.weights);
        return 'model.json';
      },
    });
  }
  out.push({
    name: 'model.json over 64 KB',
    field: /more than/,
    make(dir) {
      const j = json();
      j.padding = 'x'.repeat(70_000);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
      writeFileSync(join(dir, 'weights.bin'), good.weights);
      return 'model.json';
    },
  });
  // Files that are not regular files, or are huge.
  const linkCase = (name: string, linked: 'model.json' | 'weights.bin'): Hostile => ({
    name,
    field: /symbolic link/,
    make(dir) {
      const elsewhere = join(dir, '..', `${name.replace(/\W/g, '')}-target`);
      writeFileSync(elsewhere, linked === 'model.json' ? good.modelJson : good.weights);
      writeFileSync(join(dir, linked === 'model.json' ? 'weights.bin' : 'model.json'), linked === 'model.json' ? good.weights : good.modelJson);
      symlinkSync(elsewhere, join(dir, linked));
      return linked;
    },
  });
  out.push(linkCase('symlinked model.json', 'model.json'));
  out.push(linkCase('symlinked weights.bin', 'weights.bin'));
  out.push({
    name: 'symlink to /etc/passwd',
    field: /symbolic link/,
    make(dir) {
      symlinkSync('/etc/passwd', join(dir, 'model.json'));
      return 'model.json';
    },
  });
  out.push({
    name: 'FIFO weights.bin',
    field: /not a regular file/,
    make(dir) {
      writeFileSync(join(dir, 'model.json'), good.modelJson);
      execFileSync('mkfifo', [join(dir, 'weights.bin')]);
      return 'weights.bin';
    },
  });
  out.push({
    name: 'FIFO model.json',
    field: /not a regular file/,
    make(dir) {
      execFileSync('mkfifo', [join(dir, 'model.json')]);
      return 'model.json';
    },
  });
  out.push({
    name: 'folder named model.json',
    field: /not a regular file/,
    make(dir) {
      mkdirSync(join(dir, 'model.json'));
      return 'model.json';
    },
  });
  out.push({
    name: '4 GB sparse weights.bin',
    field: /more than/,
    make(dir) {
      writeFileSync(join(dir, 'model.json'), good.modelJson);
      writeFileSync(join(dir, 'weights.bin'), '');
      truncateSync(join(dir, 'weights.bin'), 4 * 1024 ** 3);
      return 'weights.bin';
    },
  });
  out.push({
    name: '2 GB sparse model.json',
    field: /size|more than/,
    make(dir) {
      writeFileSync(join(dir, 'model.json'), '');
      truncateSync(join(dir, 'model.json'), 2 * 1024 ** 3);
      return 'model.json';
    },
  });
  out.push({
    name: 'missing weights.bin',
    field: /missing/,
    make(dir) {
      writeFileSync(join(dir, 'model.json'), good.modelJson);
      return 'weights.bin';
    },
  });
  out.push({ name: 'empty folder', field: /missing/, make: () => 'model.json' });
  // Manifests.
  out.push(manifest('2 MB command', (m) => (m.command = 'x'.repeat(2_000_000)), /more than/));
  out.push(manifest('300 KB manifest', (m) => (m.note = 'x'.repeat(300_000)), /more than/));
  out.push(manifest('long dataset', (m) => (m.dataset = 'x'.repeat(5000)), /dataset/));
  out.push(manifest('wrong checksum', (m) => (m.files['weights.bin'].sha256 = '0'.repeat(64)), /sha256/));
  out.push(manifest('wrong size', (m) => (m.files['model.json'].bytes = 1), /model\.json/));
  out.push(manifest('cell disagrees', (m) => (m.cell = 'lstm'), /rnn-16 model, manifest\.json says lstm-16/));
  out.push(manifest('hidden disagrees', (m) => (m.hidden = 32), /manifest\.json says rnn-32/));
  out.push(manifest('hidden out of range', (m) => (m.hidden = 100000), /hidden/));
  out.push(manifest('format', (m) => (m.format = 'other/1'), /format/));
  out.push(manifest('accuracy 7', (m) => (m.testAccuracy = 7), /testAccuracy/));
  out.push(manifest('history too long', (m) => (m.history = Array.from({ length: 2000 }, (_, i) => ({ epoch: i, avgCost: 1, testAccuracy: 0.5 }))), /history/));
  out.push(manifest('files missing', (m) => delete m.files, /files/));
  out.push(
    manifest(
      'not json',
      () => {},
      /not valid JSON/,
      () => '{"format":',
    ),
  );
  out.push(manifest('checksum not hex', (m) => (m.files['model.json'].sha256 = 'zz'), /sha256/));
  out.push(manifest('parent path', (m) => (m.parent = '../../etc'), /parent/));
  out.push(manifest('id path', (m) => (m.id = '../v0001'), /id/));
  return out;
}

describe('hostile model folders through import', () => {
  it('refuses 100 hostile folders, naming file and field, writing nothing and keeping tfjs memory flat', async () => {
    const cases = hostile();
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const store = new ModelStore(join(root, 'store'));
    const listing = () => JSON.stringify([readdirSync(store.versionsDir), readdirSync(store.quarantineDir), readdirSync(store.root)]);
    const before = listing();
    const memBefore = tf.memory().numBytes;
    const wrong: string[] = [];
    for (const [i, c] of cases.entries()) {
      const dir = join(root, `case-${i}`);
      mkdirSync(dir);
      const file = c.make(dir);
      try {
        await store.importFrom(dir);
        wrong.push(`${c.name}: was imported`);
      } catch (err) {
        const msg = (err as Error).message;
        if (!msg.includes(file) || !c.field.test(msg)) wrong.push(`${c.name}: "${msg.slice(0, 160)}" does not name ${file} and ${c.field}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(listing()).toBe(before);
    const memAfter = tf.memory().numBytes;
    console.log(`hostile imports: ${cases.length} refused; tfjs memory ${memBefore} → ${memAfter} bytes`);
    expect(Math.abs(memAfter - memBefore)).toBeLessThan(1024 * 1024);
  });

  it('refuses a prototype-key class name before reading a 1 GiB weights.bin, for every such key', async () => {
    for (const key of PROTOTYPE_KEYS) {
      const dir = join(root, `proto-${key}`);
      mkdirSync(dir);
      const j = JSON.parse(new TextDecoder().decode(good.modelJson));
      rec(j).class_name = key;
      writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
      // Sparse: a gigabyte on paper, nothing on disk.
      writeFileSync(join(dir, 'weights.bin'), '');
      truncateSync(join(dir, 'weights.bin'), 1024 ** 3);
      expect(() => readModelFolder(dir), key).toThrow(new RegExp(`model\\.json: layers\\[0\\]\\.class_name is "${key}", expected SimpleRNN, LSTM or GRU`));
    }
  });

  it('still imports the good folder, with a manifest built from whitelisted fields only', async () => {
    const dir = join(root, 'good');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), good.modelJson);
    writeFileSync(join(dir, 'weights.bin'), good.weights);
    const m = { ...good.manifest, extra: 'x'.repeat(1000), __proto__: { polluted: true } };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const store = new ModelStore(join(root, 'good-store'));
    const v = await store.importFrom(dir);
    const saved = JSON.parse(readFileSync(join(store.versionsDir, v.id, 'manifest.json'), 'utf8'));
    expect(saved.extra).toBeUndefined();
    expect(saved.polluted).toBeUndefined();
    expect(saved.command).toBe('fixture (imported)');
    expect(saved.files['weights.bin'].sha256).toBe(sha256(good.weights));
  });
});
