/**
 * The renderer's only door to main: the contract's Bridge over Electron IPC,
 * one named function per channel and one on… subscription per event, each
 * returning plain data. ipcRenderer and the IPC event object are never exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createBridge } from '../shared/bridge';

const bridge = createBridge(
  (channel, payload) => ipcRenderer.invoke(channel, payload),
  (event, cb) => {
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  },
);

contextBridge.exposeInMainWorld('rnnLens', bridge);
