/**
 * Electron IPC glue: one ipcMain.handle per channel. Every call is checked to
 * come from the app's own top-level frame before its payload is validated and
 * dispatched. Kept free of a hard Electron import so it can be unit-tested.
 */
import { CHANNELS } from '../shared/contract';
import type { Result } from '../shared/contract';
import type { Dispatch } from '../node/services/dispatch';

/** The parts of a sender frame the check reads. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/** The part of ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: SenderFrame | null }, payload: unknown) => Promise<unknown>): void;
}

/**
 * True when `frame` is the top frame of the app's own page: the app:// origin,
 * or the dev server's origin during development.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, appUrl: string): boolean {
  if (!frame || frame.parent !== null) return false;
  let got: URL, want: URL;
  try {
    got = new URL(frame.url);
    want = new URL(appUrl);
  } catch {
    return false;
  }
  // Non-special schemes such as app:// have an opaque origin ("null"), so compare scheme and host.
  return got.protocol === want.protocol && got.host === want.host && got.port === want.port;
}

export function registerIpc(ipcMain: IpcMainLike, dispatch: Dispatch, appUrl: string): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, payload): Promise<Result<unknown>> => {
      if (!isTrustedSender(event.senderFrame, appUrl)) {
        return { ok: false, error: `${channel}: refused: the request did not come from the RNN Lens window`, code: 'refusedSender', params: { channel } };
      }
      return dispatch(channel, payload);
    });
  }
}
