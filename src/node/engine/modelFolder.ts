/** Load a model from a plain folder (an exported version or the shipped default), verified. */
import type * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../shared/types';
import { bytesToModel, MANIFEST_FILE, MODEL_FILE, readManifest, readVerifiedFiles, WEIGHTS_FILE } from './artifacts';

/** Load and verify model.json + weights.bin in `dir`, using manifest.json checksums when present. */
export async function loadModelFolder(dir: string): Promise<{ id: string | null; model: tf.LayersModel; manifest: ModelManifest | null }> {
  if (existsSync(join(dir, MANIFEST_FILE))) {
    const manifest = readManifest(dir);
    const model = await bytesToModel(readVerifiedFiles(dir, manifest), { cell: manifest.cell, hidden: manifest.hidden });
    return { id: manifest.id, model, manifest };
  }
  const model = await bytesToModel({ modelJson: readFileSync(join(dir, MODEL_FILE)), weights: readFileSync(join(dir, WEIGHTS_FILE)) });
  return { id: null, model, manifest: null };
}
