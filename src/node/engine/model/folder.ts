/**
 * A model someone hands us (a folder from the export dialog or the CLI's --from,
 * files uploaded in web mode, the shipped model): read with every check and
 * nothing written. Files are read regular-only and size-bounded; a manifest, when
 * present, must match the files' checksums and the cell and size model.json describes.
 */
import type * as tf from '@tensorflow/tfjs';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../../shared/types';
import type { ModelShape } from './model';
import { sha256 } from './durableFs';
import {
  bytesToModel,
  checkManifest,
  CorruptModelError,
  manifestShape,
  MANIFEST_FILE,
  shapeName,
  MAX_MANIFEST_BYTES,
  MODEL_FILE,
  readRegularFile,
  WEIGHTS_FILE,
  type ModelBytes,
} from './artifacts';
import { MAX_MODEL_JSON_BYTES, parseModelJson, weightBytes } from './format';

/** Verified bytes, the manifest when there was one, and the cell, size and read model.json describes. */
export interface ModelFolder {
  bytes: ModelBytes;
  manifest: ModelManifest | null;
  describe: ModelShape;
}

/** Check the bytes of model.json, weights.bin and (optionally) manifest.json as one model. */
export function checkModelFiles(files: { modelJson: Uint8Array; weights: Uint8Array; manifest?: Uint8Array | null }): ModelFolder {
  const describe = parseModelJson(files.modelJson, MODEL_FILE);
  const need = weightBytes(describe.cell, describe.hidden, describe.read);
  if (files.weights.length !== need)
    throw new CorruptModelError(WEIGHTS_FILE, `is ${files.weights.length} bytes; a ${shapeName(describe)} model needs exactly ${need}`);
  let manifest: ModelManifest | null = null;
  if (files.manifest) {
    if (files.manifest.length > MAX_MANIFEST_BYTES)
      throw new CorruptModelError(MANIFEST_FILE, `is ${files.manifest.length} bytes, more than ${MAX_MANIFEST_BYTES}`);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(files.manifest));
    } catch {
      throw new CorruptModelError(MANIFEST_FILE, 'is not valid JSON');
    }
    manifest = checkManifest(value);
    for (const [name, bytes] of [
      [MODEL_FILE, files.modelJson],
      [WEIGHTS_FILE, files.weights],
    ] as const) {
      const want = manifest.files[name];
      if (bytes.length !== want.bytes) throw new CorruptModelError(name, `is ${bytes.length} bytes, ${MANIFEST_FILE} says ${want.bytes}`);
      if (sha256(bytes) !== want.sha256) throw new CorruptModelError(name, `sha256 does not match ${MANIFEST_FILE} (the file was changed or damaged)`);
    }
    const said = manifestShape(manifest);
    if (said.cell !== describe.cell || said.hidden !== describe.hidden || said.read !== describe.read) {
      throw new CorruptModelError(MODEL_FILE, `holds a ${shapeName(describe)} model, ${MANIFEST_FILE} says ${shapeName(said)}`);
    }
  }
  return { bytes: { modelJson: files.modelJson, weights: files.weights }, manifest, describe };
}

/** Read a model folder: model.json first, so weights.bin is bounded by what it describes. */
export function readModelFolder(dir: string): ModelFolder {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    throw new CorruptModelError(dir, 'does not exist');
  }
  if (!st.isDirectory()) throw new CorruptModelError(dir, 'is not a folder');
  const modelJson = readRegularFile(dir, MODEL_FILE, MAX_MODEL_JSON_BYTES);
  const { cell, hidden, read } = parseModelJson(modelJson, MODEL_FILE);
  const weights = readRegularFile(dir, WEIGHTS_FILE, weightBytes(cell, hidden, read));
  let present = true;
  try {
    lstatSync(join(dir, MANIFEST_FILE));
  } catch {
    present = false;
  }
  const manifest = present ? readRegularFile(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES) : null;
  return checkModelFiles({ modelJson, weights, manifest });
}

/** Read and build the model in `dir`. */
export async function loadModelFolder(dir: string): Promise<{ id: string | null; model: tf.LayersModel; manifest: ModelManifest | null }> {
  const f = readModelFolder(dir);
  return { id: f.manifest?.id ?? null, model: await bytesToModel(f.bytes, f.describe), manifest: f.manifest };
}
