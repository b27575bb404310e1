// Starts one of the engine's worker threads from its TypeScript source (tests, web mode and the CLI run from
// source): a worker does not inherit the parent's --import hooks, so tsx is registered here first; the
// module to run is the first argument.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';

register();
await import(pathToFileURL(process.argv[2]).href);
