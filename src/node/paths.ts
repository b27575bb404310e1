/** Where the app keeps and finds things, outside Electron (web mode, CLI, tests). */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PRODUCT_NAME = 'RNN Lens';

/** Repository root when running from source (src/node/ → ../..). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The per-user folder, the same one Electron's app.getPath('userData') gives. */
export function userDataDir(): string {
  if (process.env.RNN_LENS_USER_DATA) return process.env.RNN_LENS_USER_DATA;
  const home = homedir();
  const base =
    process.platform === 'win32'
      ? (process.env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (process.env.XDG_CONFIG_HOME ?? join(home, '.config'));
  return join(base, PRODUCT_NAME);
}

/** The model shipped with the app that serves when nothing else does: the tutorial's SimpleRNN-128. */
export const builtinModelDir = (root = projectRoot) => join(root, 'resources', 'model');

/** Every model shipped with the app, by id: the tutorial's SimpleRNN-128, and a GRU-64 whose state reads more easily. */
export const builtinModelDirs = (resources = join(projectRoot, 'resources')): Record<string, string> => ({
  builtin: join(resources, 'model'),
  'builtin-gru': join(resources, 'model-gru'),
});

/** The built renderer. */
export const rendererDir = (root = projectRoot) => join(root, 'out', 'renderer');
