// Starts the visualisation worker from its TypeScript source (tests and web mode run from source):
// a worker thread does not inherit the parent's --import hooks, so tsx is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./vizWorkerMain.ts');
