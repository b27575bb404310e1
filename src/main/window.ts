/** The one app window, with the security settings written inline. */
import { BrowserWindow } from 'electron';
import { APP_URL } from './appProtocol';

export function createMainWindow(preloadPath: string, appUrl: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'RNN Lens',
    backgroundColor: '#111318',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== appUrl) event.preventDefault();
  });
  void win.loadURL(appUrl);
  return win;
}

/** The URL the window loads: the dev server during `electron-vite dev` (never in a packaged app), else the app:// page. */
export function appUrlFor(packaged: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const dev = env.ELECTRON_RENDERER_URL;
  return dev && !packaged ? dev : APP_URL;
}
