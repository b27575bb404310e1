/** The trainer as a Node child process (web mode, tests and bench); the desktop app uses Electron's utilityProcess instead. */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAINER_EXEC_ARGV } from './execArgv';
import type { TrainerChild } from './manager';

const here = dirname(fileURLToPath(import.meta.url));

/** child_process.fork of the trainer entry: the built .js if present, else the .ts source through tsx. */
export function forkTrainer(entry?: string): TrainerChild {
  const js = join(here, 'trainer.js');
  const file = entry ?? (existsSync(js) ? js : join(here, 'main.ts'));
  const execArgv = [...TRAINER_EXEC_ARGV, ...(file.endsWith('.ts') ? ['--import', 'tsx'] : [])];
  const child = fork(file, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    process.stderr.write(d);
    stderr = (stderr + d.toString()).slice(-2000);
  });
  return {
    pid: child.pid,
    postMessage: (msg) => child.send(msg),
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => child.on('exit', (code, signal) => cb(code, signal, stderr)),
    kill: () => child.kill('SIGKILL'),
  };
}
