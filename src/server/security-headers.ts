// Headers on every serve-mode response. The page may load only its own files, talk only to its
// own server (the API socket included), never evaluate strings as code, and never be framed.
import type { ServerResponse } from 'node:http';

/**
 * The page's policy; `connect` lists what it may talk to besides 'self' (serve mode: its API
 * socket; Electron: nothing, the API goes through IPC). Inline styles are allowed (React/uPlot set
 * style attributes); inline and evaluated scripts are not. Blob workers are allowed because
 * sigma's ForceAtlas2 layout starts its worker from a blob URL.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * `host` is the Host the browser used (validated loopback), so the socket address is allowed even
 * through an SSH tunnel on another port.
 */
export function setSecurityHeaders(response: ServerResponse, host: string): void {
  response.setHeader('Content-Security-Policy', contentSecurityPolicy([`ws://${host}`]));
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
}
