/**
 * The page's Content-Security-Policy, one definition for both ways the renderer
 * is served: the desktop app's app:// protocol (no network at all) and web mode
 * (its own WebSocket only). The renderer runs no WebAssembly, so no 'wasm-unsafe-eval'.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${connect.map((c) => ` ${c}`).join('')}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
