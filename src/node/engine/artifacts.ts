/**
 * A model as files on disk: model.json (standard tfjs layers format), weights.bin
 * and manifest.json. Converts models to bytes and back, and verifies everything
 * that tfjs itself would accept silently (zeroed, truncated or padded weights,
 * a model.json without weightsManifest, wrong shapes, non-finite values).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellType, ModelManifest } from '../../shared/types';
import { sha256 } from './durableFs';
import { CELLS, describeModel, expectedWeightShapes } from './model';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const MANIFEST_FILE = 'manifest.json';

/** A stored model that failed verification; the message says which file and what. */
export class CorruptModelError extends Error {
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
    this.name = 'CorruptModelError';
  }
}

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
      const weights = new Uint8Array(
        Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer),
      ).slice();
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

function parseJson(where: string, bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') throw new CorruptModelError(where, 'file is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CorruptModelError(where, `is not valid JSON (${(err as Error).message})`);
  }
}

/** Read and sanity-check a manifest.json. */
export function readManifest(dir: string): ModelManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new CorruptModelError(MANIFEST_FILE, 'is missing');
  const m = parseJson(MANIFEST_FILE, readFileSync(file)) as Partial<ModelManifest> | null;
  if (!m || typeof m !== 'object') throw new CorruptModelError(MANIFEST_FILE, 'is not a JSON object');
  if (m.format !== 'rnn-lens-model/1') throw new CorruptModelError(MANIFEST_FILE, `has format ${JSON.stringify(m.format)}, expected "rnn-lens-model/1"`);
  if (!CELLS.includes(m.cell as CellType)) throw new CorruptModelError(MANIFEST_FILE, `has cell ${JSON.stringify(m.cell)}, expected rnn, lstm or gru`);
  if (!Number.isInteger(m.hidden) || (m.hidden as number) < 1) throw new CorruptModelError(MANIFEST_FILE, `has hidden ${JSON.stringify(m.hidden)}, expected a positive integer`);
  if (!m.files || typeof m.files !== 'object') throw new CorruptModelError(MANIFEST_FILE, 'has no "files" checksums');
  for (const f of [MODEL_FILE, WEIGHTS_FILE]) {
    if (!m.files[f]) throw new CorruptModelError(MANIFEST_FILE, `has no checksum for ${f}`);
  }
  return m as ModelManifest;
}

/** Read the files a manifest lists and check their sizes and sha256. */
export function readVerifiedFiles(dir: string, manifest: ModelManifest): ModelBytes {
  const read = (name: string): Uint8Array => {
    const file = join(dir, name);
    if (!existsSync(file)) throw new CorruptModelError(name, 'is missing');
    const bytes = readFileSync(file);
    const want = manifest.files[name];
    if (bytes.length !== want.bytes) {
      throw new CorruptModelError(name, `is ${bytes.length} bytes, the manifest says ${want.bytes} (${bytes.length < want.bytes ? 'truncated' : 'extra bytes'})`);
    }
    if (sha256(bytes) !== want.sha256) throw new CorruptModelError(name, 'sha256 does not match the manifest (the file was changed or damaged)');
    return bytes;
  };
  return { modelJson: read(MODEL_FILE), weights: read(WEIGHTS_FILE) };
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/**
 * Turn verified bytes into a model, checking structure, shapes and values.
 * `expect` pins the cell and size when a manifest provides them.
 */
export async function bytesToModel(bytes: ModelBytes, expect?: { cell: CellType; hidden: number }): Promise<tf.LayersModel> {
  const json = parseJson(MODEL_FILE, bytes.modelJson) as { modelTopology?: object; weightsManifest?: { weights?: WeightSpec[] }[] } | null;
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new CorruptModelError(MODEL_FILE, 'has no modelTopology');
  if (!Array.isArray(json.weightsManifest) || json.weightsManifest.length === 0) {
    throw new CorruptModelError(MODEL_FILE, 'has no weightsManifest, so its weights cannot be located');
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights ?? []);
  let total = 0;
  for (const s of specs) {
    if (s.dtype !== 'float32') throw new CorruptModelError(MODEL_FILE, `weight ${s.name} has dtype ${s.dtype}, expected float32`);
    total += 4 * s.shape.reduce((a, b) => a * b, 1);
  }
  if (total !== bytes.weights.length) {
    throw new CorruptModelError(WEIGHTS_FILE, `is ${bytes.weights.length} bytes, the weight specs need ${total}`);
  }
  const values = new Float32Array(bytes.weights.buffer.slice(bytes.weights.byteOffset, bytes.weights.byteOffset + total));
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new CorruptModelError(WEIGHTS_FILE, `holds a non-finite value at index ${i}`);
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: values.buffer }),
    );
  } catch (err) {
    throw new CorruptModelError(MODEL_FILE, `tfjs could not build the model (${(err as Error).message})`);
  }
  try {
    const found = describeModel(model);
    const want = expect ?? found;
    if (found.cell !== want.cell || found.hidden !== want.hidden) {
      throw new CorruptModelError(MODEL_FILE, `holds a ${found.cell}-${found.hidden} model, the manifest says ${want.cell}-${want.hidden}`);
    }
    const shapes = model.getWeights().map((w) => w.shape);
    const expected = expectedWeightShapes(want.cell, want.hidden);
    if (JSON.stringify(shapes) !== JSON.stringify(expected)) {
      throw new CorruptModelError(MODEL_FILE, `weight shapes ${JSON.stringify(shapes)} differ from the expected ${JSON.stringify(expected)}`);
    }
  } catch (err) {
    model.dispose();
    if (err instanceof CorruptModelError) throw err;
    throw new CorruptModelError(MODEL_FILE, (err as Error).message);
  }
  return model;
}
