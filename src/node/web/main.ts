/** `npm run web [-- --port P]`: build the renderer if needed and serve the app on 127.0.0.1. */
import { errorMessage } from '../../shared/errors';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDispatch } from '../services/dispatch';
import { builtinModelDirs, projectRoot, rendererDir, userDataDir } from '../paths';
import { AppServices } from '../services/index';
import { settingsFromEnv } from '../engine/settings';
import { forkTrainer } from '../trainer/forkTrainer';
import { startWebServer, type WebServer } from './server';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build when out/renderer is missing or older than the sources it comes from. */
function buildIfNeeded(): void {
  const index = join(rendererDir(), 'index.html');
  const sources = Math.max(newestMtime(join(projectRoot, 'src', 'renderer')), newestMtime(join(projectRoot, 'src', 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  console.log('Building the renderer…');
  const r = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-vite', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed; see the output above');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, 'no-build': { type: 'boolean' }, 'user-data': { type: 'string' } }, strict: true }));
  } catch (err) {
    console.error(`error: ${errorMessage(err)}\nUsage: npm run web -- [--port P] [--user-data DIR] [--no-build]`);
    process.exit(2);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be a whole number from 0 to 65535, got "${values.port}"`);
    process.exit(2);
  }
  if (!values['no-build']) buildIfNeeded();
  let server: WebServer | null = null;
  const services = new AppServices({
    userData: values['user-data'] ?? userDataDir(),
    builtinModelDir: builtinModelDirs(),
    spawnTrainer: () => forkTrainer(),
    emit: (event, payload) => server?.broadcast(event, payload),
    appVersion: process.env.npm_package_version ?? '0.0.0',
    // The page adds "web mode" in its own language.
    runtime: `Node ${process.versions.node}`,
    settings: settingsFromEnv(),
  });
  await services.init();
  server = await startWebServer({ root: rendererDir(), dispatch: createDispatch(services), port });
  console.log(`RNN Lens: ${server.url}`);
  const stop = () => {
    services.shutdown();
    void server?.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`error: ${errorMessage(err)}`);
  process.exit(1);
});
