/**
 * The app:// protocol that serves the built renderer in the desktop app, as
 * Electron recommends instead of file://: only files inside the renderer folder,
 * each with the app's Content-Security-Policy.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy } from '../shared/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'rnn-lens';
/** The page the window loads. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Privileges for registerSchemesAsPrivileged: a standard, secure origin. */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The handler for protocol.handle(APP_SCHEME, …): serves `root`, nothing outside it. */
export function appProtocolHandler(root: string): (req: Request) => Promise<Response> {
  const base = normalize(root) + sep;
  return async (req) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('Bad request', { status: 400 });
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(base) || path.includes('\0')) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': contentSecurityPolicy(),
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  };
}
