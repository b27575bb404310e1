/** The trainer as an Electron utilityProcess (the desktop app's counterpart of forkTrainer). */
import { utilityProcess } from 'electron';
import type { TrainerChild } from '../node/trainer/manager';
import { TRAINER_EXEC_ARGV } from '../node/trainer/execArgv';

export function utilityTrainer(entry: string): TrainerChild {
  const child = utilityProcess.fork(entry, [], { serviceName: 'RNN Lens trainer', stdio: ['ignore', 'inherit', 'pipe'], execArgv: [...TRAINER_EXEC_ARGV] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    process.stderr.write(d);
    stderr = (stderr + d.toString()).slice(-2000);
  });
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (msg) => child.postMessage(msg),
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => child.on('exit', (code) => cb(code, null, stderr)),
    kill: () => void child.kill(),
  };
}
