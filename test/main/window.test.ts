import { describe, expect, it, vi } from 'vitest';

const created: {
  opts: Record<string, unknown>;
  handlers: Record<string, (...a: unknown[]) => void>;
  openHandler?: (d: { url: string }) => unknown;
  loaded?: string;
}[] = [];

vi.mock('electron', () => ({
  BrowserWindow: class {
    webContents: unknown;
    constructor(opts: Record<string, unknown>) {
      const rec = {
        opts,
        handlers: {} as Record<string, (...a: unknown[]) => void>,
        openHandler: undefined as ((d: { url: string }) => unknown) | undefined,
        loaded: undefined as string | undefined,
      };
      created.push(rec);
      this.webContents = {
        setWindowOpenHandler: (h: (d: { url: string }) => unknown) => (rec.openHandler = h),
        on: (ev: string, h: (...a: unknown[]) => void) => (rec.handlers[ev] = h),
      };
      (this as unknown as { loadURL: (u: string) => Promise<void> }).loadURL = async (u: string) => void (rec.loaded = u);
    }
    once() {}
  },
}));

describe('main window', () => {
  it('is created with the security settings and blocks navigation and new windows', async () => {
    const { createMainWindow, appUrlFor } = await import('../../src/main/window');
    const url = appUrlFor(true, {});
    expect(url).toBe('app://rnn-lens/index.html');
    // The dev server's address is honoured only when the app is not packaged.
    expect(appUrlFor(true, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe('app://rnn-lens/index.html');
    expect(appUrlFor(false, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe('http://localhost:5173');
    createMainWindow('/opt/app/out/preload/index.cjs', url);
    const w = created[0];
    expect(w.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(w.opts).toMatchObject({ minWidth: 1024, minHeight: 700 });
    expect(w.loaded).toBe(url);
    expect(w.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const prevent = vi.fn();
    w.handlers['will-navigate']({ preventDefault: prevent }, 'https://evil.example/');
    expect(prevent).toHaveBeenCalledTimes(1);
    w.handlers['will-navigate']({ preventDefault: prevent }, url);
    expect(prevent).toHaveBeenCalledTimes(1);
  });
});
