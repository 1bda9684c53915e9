// Who may talk to a serve-mode server: requests to a loopback host name (so a DNS-rebinding page
// cannot reach it under its own name), carrying the token printed with the URL, and for the
// WebSocket, sent by a page of this very server (its Origin is the address the browser used).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The Host header when it names this machine's loopback interface (any port: SSH tunnels remap it). */
export function loopbackHost(request: IncomingMessage): string | null {
  const host = request.headers.host;
  if (!host) return null;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return match && loopbackHosts.has(match[1].toLowerCase()) ? host : null;
}

/** One cookie per port, so two servers on the same machine do not overwrite each other's token. */
export const tokenCookie = (port: number) => `constellation-token-${port}`;

export type TokenSource = 'query' | 'header' | 'cookie';

/** Where the request carries the right token, or null when it carries none or a wrong one. */
export function presentedToken(request: IncomingMessage, token: string, port: number): TokenSource | null {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const candidates: [TokenSource, string | null | undefined][] = [
    ['query', url.searchParams.get('token')],
    ['header', /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]],
    ['cookie', cookies(request.headers.cookie)[tokenCookie(port)]],
  ];
  for (const [source, value] of candidates) if (value != null && sameToken(value, token)) return source;
  return null;
}

/** The WebSocket upgrade must come from a page this server served: Origin equal to http://<Host>. */
export function sameOrigin(request: IncomingMessage): boolean {
  const host = loopbackHost(request);
  return host !== null && request.headers.origin === `http://${host}`;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookies(header: string | undefined): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return jar;
}
