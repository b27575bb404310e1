/**
 * The renderer's only door to main: one named function per channel and one
 * on… subscription per event, each returning plain data. ipcRenderer and the
 * IPC event object are never exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAMES, EVENT_NAMES, listenerName, methodName } from '../shared/channels';

const api: Record<string, unknown> = {};
for (const channel of CHANNEL_NAMES) {
  api[methodName(channel)] = (payload?: unknown) => ipcRenderer.invoke(channel, payload ?? {});
}
for (const event of EVENT_NAMES) {
  api[listenerName(event)] = (cb: (payload: unknown) => void) => {
    if (typeof cb !== 'function') throw new TypeError(`${listenerName(event)} needs a callback`);
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  };
}

contextBridge.exposeInMainWorld('lens', Object.freeze(api));
