/**
 * Channel and event names with no dependencies, so the sandboxed preload can
 * import them without pulling in the schema library.
 */

/** Request/response channels, `domain:verb`. */
export const CHANNEL_NAMES = [
  'app:status',
  'model:predict',
  'model:trace',
  'train:start',
  'train:cancel',
  'train:stop',
  'models:list',
  'models:activate',
  'models:delete',
  'models:export',
  'models:import',
  'models:upload',
  'dataset:info',
  'dataset:digits',
  'eval:run',
  'eval:cancel',
  'samples:add',
  'samples:list',
  'samples:delete',
  'viz:map',
  'viz:importance',
  'viz:trace',
  'viz:terms',
  'viz:experiment',
] as const;

/** Web mode's WebSocket paths: every channel but uploads on the first, in small messages; uploads alone on the second. */
export const SOCKET_PATH = '/ws';
export const UPLOAD_SOCKET_PATH = '/ws/upload';

/** Events main pushes to the renderer. */
export const EVENT_NAMES = ['train:progress', 'train:path', 'train:done', 'train:error', 'train:map', 'models:changed'] as const;

/** 'models:activate' → 'modelsActivate': the preload's function name for a channel. */
export function methodName(channel: string): string {
  return channel.replace(/:(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** 'train:progress' → 'onTrainProgress': the preload's subscription name for an event. */
export function listenerName(event: string): string {
  const m = methodName(event);
  return `on${m[0].toUpperCase()}${m.slice(1)}`;
}
