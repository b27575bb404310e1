/**
 * Backend choice: tfjs-node (native TensorFlow) when it is installed, else the
 * WebAssembly backend, else the plain JS cpu backend. tfjs-node is optional and
 * failing to load it is the normal case on machines without libtensorflow.
 */
import { errorMessage } from '../../shared/errors';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../shared/types';

const require = createRequire(import.meta.url);

/** What initBackend settled on, and why the earlier choices were skipped. */
export interface BackendReport {
  name: BackendName;
  /** Backends tried before this one, with the reason each was passed over. */
  skipped: { name: BackendName; reason: string }[];
}

const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
let report: BackendReport | null = null;
let pending: Promise<BackendReport> | null = null;

async function tryBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // Loading the addon registers the 'tensorflow' backend with the shared tfjs-core.
    require('@tensorflow/tfjs-node');
  } else if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

function firstLine(err: unknown): string {
  const msg = errorMessage(err);
  return msg.split('\n')[0].slice(0, 200);
}

/**
 * Pick the fastest available backend once per process. `prefer` (the entry point's
 * setting, see settings.ts) forces one; an unknown name is an error.
 */
export function initBackend(prefer?: string): Promise<BackendReport> {
  if (report) return Promise.resolve(report);
  if (pending) return pending;
  const forced = prefer;
  if (forced && !ORDER.includes(forced as BackendName)) {
    return Promise.reject(new Error(`unknown backend "${forced}": expected one of ${ORDER.join(', ')}`));
  }
  const order = forced ? [forced as BackendName] : ORDER;
  pending = (async () => {
    const skipped: BackendReport['skipped'] = [];
    for (const name of order) {
      try {
        await tryBackend(name);
        report = { name, skipped };
        return report;
      } catch (err) {
        skipped.push({ name, reason: firstLine(err) });
      }
    }
    pending = null;
    throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  })();
  return pending;
}

/** The backend in use, or null before initBackend has finished. */
export function currentBackend(): BackendReport | null {
  return report;
}
