/** Electron entry: app lifecycle, the app:// protocol, services, IPC and the window. */
import { errorMessage } from '../shared/errors';
import { app, type BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModelDirs, projectRoot, rendererDir } from '../node/paths';
import { createDispatch } from '../node/services/dispatch';
import { AppServices } from '../node/services/index';
import { settingsFromEnv } from '../node/engine/settings';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './appProtocol';
import { registerIpc } from './ipc';
import { utilityTrainer } from './utilityTrainer';
import { appUrlFor, createMainWindow } from './window';
import { mainStrings, menuTemplate } from './strings';

const here = fileURLToPath(new URL('.', import.meta.url));
let win: BrowserWindow | null = null;

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app
    .whenReady()
    .then(async () => {
      const words = mainStrings(app.getLocale());
      Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(words)));
      session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
      session.defaultSession.setPermissionCheckHandler(() => false);
      const resources = app.isPackaged ? process.resourcesPath : join(projectRoot, 'resources');
      protocol.handle(APP_SCHEME, appProtocolHandler(app.isPackaged ? join(here, '..', 'renderer') : rendererDir()));
      const services = new AppServices({
        userData: app.getPath('userData'),
        builtinModelDir: app.isPackaged ? builtinModelDirs(resources) : builtinModelDirs(),
        dataDir: app.isPackaged ? join(resources, 'mnist') : undefined,
        spawnTrainer: () => utilityTrainer(join(here, 'trainer.js')),
        emit: (event, payload) => win?.webContents.send(event, payload),
        appVersion: app.getVersion(),
        runtime: `Electron ${process.versions.electron}`,
        settings: settingsFromEnv(),
        // The only way a path reaches main: the person picks it in the native dialog.
        pickFolder: async (purpose) => {
          const r = await dialog.showOpenDialog(win!, {
            title: purpose === 'export' ? words.exportTitle : words.importTitle,
            properties: ['openDirectory', 'createDirectory'],
          });
          return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
        },
      });
      await services.init();
      const appUrl = appUrlFor(app.isPackaged);
      registerIpc(ipcMain, createDispatch(services), appUrl);
      win = createMainWindow(join(here, '..', 'preload', 'index.cjs'), appUrl);
      app.on('before-quit', () => services.shutdown());
    })
    .catch((err: unknown) => {
      // Nothing can be shown without the services; say why instead of leaving no window.
      dialog.showErrorBox(mainStrings(app.getLocale()).startFailed, errorMessage(err));
      app.exit(1);
    });

  app.on('window-all-closed', () => app.quit());
}
