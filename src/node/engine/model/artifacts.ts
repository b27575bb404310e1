/**
 * A model as files on disk: model.json (standard tfjs layers format), weights.bin
 * and manifest.json. Files are lstat-ed before they are read (regular files only,
 * sizes bounded), model.json is checked against the app's one model shape before
 * tfjs sees it, and the model is rebuilt by createModel with the verified weights,
 * so nothing tfjs would accept silently (zeroed, truncated or padded weights, a
 * foreign topology, quantized or non-finite values) gets through.
 */
import { errorMessage } from '../../../shared/errors';
import * as tf from '@tensorflow/tfjs';
import { closeSync, fstatSync, lstatSync, openSync, readSync, constants } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { VERSION_ID_RE } from '../../../shared/contract';
import { TRAIN_BOUNDS } from '../../../shared/training';
import { CELLS, SCHEDULES, type CellType, type ModelManifest } from '../../../shared/types';
import { sha256 } from './durableFs';
import { createModel } from './model';
import { CorruptModelError, MAX_MODEL_JSON_BYTES, MAX_WEIGHT_BYTES, parseModelJson, weightBytes } from './format';

export { CorruptModelError };

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const MANIFEST_FILE = 'manifest.json';

/** Largest manifest.json accepted; ours are a few KB even after 1,000 epochs of history. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/** The bytes of model.json and weights.bin. */
export interface ModelBytes {
  modelJson: Uint8Array;
  weights: Uint8Array;
}

/** Serialise a model into the standard tfjs file pair. */
export async function modelToBytes(model: tf.LayersModel): Promise<ModelBytes> {
  let captured: ModelBytes | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weights = new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer)).slice();
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs }],
      };
      captured = { modelJson: new TextEncoder().encode(JSON.stringify(json)), weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return captured!;
}

/**
 * Read `name` in `dir` if it is a regular file (not a link, FIFO or device) of at
 * most `maxBytes`. The size is checked on the open descriptor too, so a file
 * swapped after the lstat cannot make us read more.
 */
export function readRegularFile(
  dir: string,
  name: string,
  maxBytes: number,
  tooBig = (size: number) => `is ${size} bytes, more than the ${maxBytes} a model of this app can need`,
): Buffer {
  // A bound that is not a whole number (NaN from a bad lookup) would let any size through.
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new CorruptModelError(name, `cannot be read: its size bound ${maxBytes} is not a whole number`);
  const path = join(dir, name);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    throw new CorruptModelError(name, 'is missing');
  }
  if (st.isSymbolicLink()) throw new CorruptModelError(name, 'is a symbolic link; only regular files are read');
  if (!st.isFile()) throw new CorruptModelError(name, 'is not a regular file');
  if (st.size > maxBytes) throw new CorruptModelError(name, tooBig(st.size));
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const size = fstatSync(fd).size;
    if (!fstatSync(fd).isFile() || size > maxBytes) throw new CorruptModelError(name, 'changed while it was being read');
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const FileDigest = z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex'), bytes: z.number().int().min(0) });

/** The fields a manifest may hold: typed and length-capped; anything else is dropped. */
const ManifestSchema = z.object({
  format: z.literal('rnn-lens-model/1'),
  id: z.string().max(24).regex(VERSION_ID_RE, 'must be a version id such as v0001'),
  cell: z.enum(CELLS),
  hidden: z.number().int().min(TRAIN_BOUNDS.hidden.min).max(TRAIN_BOUNDS.hidden.max),
  epochs: z.number().int().min(0).max(TRAIN_BOUNDS.epochs.max),
  learningRate: z.number().min(0).max(TRAIN_BOUNDS.learningRate.max),
  batchSize: z.number().int().min(0).max(TRAIN_BOUNDS.batchSize.max),
  schedule: z.enum(SCHEDULES).optional(),
  dataset: text(200),
  backend: text(40),
  testAccuracy: z.number().min(0).max(1).nullable(),
  createdAt: text(40),
  command: text(2000),
  parent: z.string().max(24).regex(VERSION_ID_RE).nullable(),
  history: z.array(z.object({ epoch: z.number().int().min(0), avgCost: z.number(), testAccuracy: z.number().min(0).max(1) })).max(TRAIN_BOUNDS.epochs.max),
  files: z.object({ [MODEL_FILE]: FileDigest, [WEIGHTS_FILE]: FileDigest }),
});

/** Check a parsed manifest against the whitelist; the error names the field. */
export function checkManifest(value: unknown, where = MANIFEST_FILE): ModelManifest {
  const r = ManifestSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CorruptModelError(where, `${i.path.join('.') || 'content'}: ${i.message}`);
  }
  return r.data;
}

/** Read and check manifest.json in `dir`. */
export function readManifest(dir: string): ModelManifest {
  const bytes = readRegularFile(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new CorruptModelError(MANIFEST_FILE, bytes.length ? `is not valid JSON (${errorMessage(err).slice(0, 80)})` : 'file is empty');
  }
  return checkManifest(value);
}

/** Read the files a manifest lists and check their sizes and sha256. */
export function readVerifiedFiles(dir: string, manifest: ModelManifest): ModelBytes {
  const read = (name: typeof MODEL_FILE | typeof WEIGHTS_FILE, max: number): Uint8Array => {
    const want = manifest.files[name];
    const mismatch = (size: number) => `is ${size} bytes, the manifest says ${want.bytes} (${size < want.bytes ? 'truncated' : 'extra bytes'})`;
    const bytes = readRegularFile(dir, name, Math.min(max, want.bytes), mismatch);
    if (bytes.length !== want.bytes) throw new CorruptModelError(name, mismatch(bytes.length));
    if (sha256(bytes) !== want.sha256) throw new CorruptModelError(name, 'sha256 does not match the manifest (the file was changed or damaged)');
    return bytes;
  };
  return { modelJson: read(MODEL_FILE, MAX_MODEL_JSON_BYTES), weights: read(WEIGHTS_FILE, MAX_WEIGHT_BYTES) };
}

/**
 * Turn bytes into a model: model.json must describe the app's model shape (and,
 * when `expect` is given, this cell and size), weights.bin must hold exactly the
 * finite float32 values it needs. The model is built by createModel, never from
 * the file's topology.
 */
export async function bytesToModel(bytes: ModelBytes, expect?: { cell: CellType; hidden: number }): Promise<tf.LayersModel> {
  const found = parseModelJson(bytes.modelJson, MODEL_FILE);
  if (expect && (found.cell !== expect.cell || found.hidden !== expect.hidden)) {
    throw new CorruptModelError(MODEL_FILE, `holds a ${found.cell}-${found.hidden} model, the manifest says ${expect.cell}-${expect.hidden}`);
  }
  const need = weightBytes(found.cell, found.hidden);
  if (bytes.weights.length !== need) throw new CorruptModelError(WEIGHTS_FILE, `is ${bytes.weights.length} bytes, the weight specs need ${need}`);
  const values = new Float32Array(bytes.weights.buffer.slice(bytes.weights.byteOffset, bytes.weights.byteOffset + need));
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new CorruptModelError(WEIGHTS_FILE, `holds a non-finite value at index ${i}`);
  }
  const model = createModel({ cell: found.cell, hidden: found.hidden, initializer: 'zeros' });
  const shapes = model.getWeights().map((w) => w.shape);
  let off = 0;
  const tensors = shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(values.subarray(off, off + n), shape, 'float32');
    off += n;
    return t;
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return model;
}
