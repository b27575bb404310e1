// A stand-in for the `electron` module that records what the built main process asks of it,
// then drives it once the window has loaded: the page through app://, and model:predict
// through the registered IPC handler. It writes a report to $STUB_REPORT and exits.
import { readFileSync, writeFileSync } from 'node:fs';

const report = { schemes: [], protocols: [], channels: [], windows: [], forks: [], errors: [], menu: null };
const handlers = new Map();
const protocolHandlers = new Map();
const finish = (code) => {
  writeFileSync(process.env.STUB_REPORT, JSON.stringify(report, null, 2));
  process.exit(code);
};

class Emitter {
  #on = new Map();
  on(ev, cb) {
    this.#on.set(ev, cb);
    return this;
  }
  once(ev, cb) {
    return this.on(ev, cb);
  }
}

async function drive(url) {
  // Electron's app keeps the process alive; without it, work that waits only on unref'd timers and threads would let it exit.
  setInterval(() => {}, 1000);
  try {
    const page = await protocolHandlers.get('app')(new Request(url));
    report.page = { status: page.status, csp: page.headers.get('content-security-policy'), html: (await page.text()).slice(0, 1000) };
    const outside = await protocolHandlers.get('app')(new Request('app://rnn-lens/..%2F..%2Fpackage.json'));
    report.outsideStatus = outside.status;
    const pixels = JSON.parse(readFileSync(process.env.STUB_PIXELS, 'utf8'));
    const frame = { url, parent: null };
    report.predict = await handlers.get('model:predict')({ senderFrame: frame }, { pixels });
    report.foreign = await handlers.get('model:predict')({ senderFrame: { url: 'file:///tmp/evil.html', parent: null } }, { pixels });
    const evaluation = await handlers.get('eval:run')({ senderFrame: frame }, {});
    report.evaluation = evaluation.ok ? { ok: true, accuracy: evaluation.value.accuracy } : evaluation;
    report.exportPicked = await handlers.get('models:export')({ senderFrame: frame }, { id: 'builtin' });
    report.exportNamed = await handlers.get('models:export')({ senderFrame: frame }, { id: 'builtin', dest: process.env.STUB_USER_DATA });
    report.trainStart = await handlers.get('train:start')(
      { senderFrame: frame },
      { mode: 'scratch', cell: 'rnn', hidden: 8, epochs: 1, learningRate: 0.001, batchSize: 32, limit: 64 },
    );
    finish(0);
  } catch (err) {
    report.errors.push(String(err?.stack ?? err));
    finish(1);
  }
}

export const app = {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  quit: () => finish(0),
  exit: (code) => finish(code),
  on: () => app,
  whenReady: () => Promise.resolve(),
  getPath: () => process.env.STUB_USER_DATA,
  getVersion: () => '0.0.0-stub',
  getLocale: () => process.env.STUB_LOCALE ?? 'en-US',
};

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu: (menu) => {
    report.menu = menu.template.map((m) => m.label);
  },
};

export const protocol = {
  registerSchemesAsPrivileged: (schemes) => report.schemes.push(...schemes),
  handle: (scheme, handler) => {
    report.protocols.push(scheme);
    protocolHandlers.set(scheme, handler);
  },
};

export const session = { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} } };
export const ipcMain = {
  handle: (channel, fn) => {
    report.channels.push(channel);
    handlers.set(channel, fn);
  },
};
export const dialog = {
  showOpenDialog: async (_win, options) => {
    report.dialogs = [...(report.dialogs ?? []), options.title];
    return { canceled: false, filePaths: [process.env.STUB_DIALOG_DIR] };
  },
  showErrorBox: (title, message) => {
    report.errors.push(`${title}: ${message}`);
    finish(1);
  },
};

export class BrowserWindow extends Emitter {
  constructor(opts) {
    super();
    this.record = { options: opts };
    report.windows.push(this.record);
    this.webContents = Object.assign(new Emitter(), { setWindowOpenHandler: () => {}, send: () => {} });
  }
  loadURL(url) {
    this.record.url = url;
    setTimeout(() => void drive(url), 0);
    return Promise.resolve();
  }
  isMinimized() {
    return false;
  }
}

export const utilityProcess = {
  fork: (entry, args, options) => {
    report.forks.push({ entry, options: { serviceName: options?.serviceName } });
    const child = new Emitter();
    child.pid = 4242;
    child.stderr = new Emitter();
    child.postMessage = () => {};
    child.kill = () => true;
    return child;
  },
};

export default { app, protocol, session, ipcMain, dialog, BrowserWindow, utilityProcess, Menu };
