/**
 * Browser mode's gatekeeping, as pure functions: the random token and its cookie, the Host check
 * (only loopback names at our port: a DNS-rebinding page has another Host), the Origin check (only
 * our own origin), and the security headers with a strict Content-Security-Policy.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookies are per host, not per port: the name carries the port so two servers never mix. */
export function cookieName(port: number): string {
  return `fledge_session_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function sameToken(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(headers: IncomingHttpHeaders, port: number): string | null {
  const header = headers.cookie;
  if (!header) return null;
  const name = cookieName(port);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Host header names this server on a loopback name (not a DNS name that now points here). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${port}`);
}

/** Our own origins: a page from anywhere else must not talk to the server. */
export function ownOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  return typeof origin === 'string' && ownOrigins(port).includes(origin.toLowerCase());
}

export function contentSecurityPolicy(port: number): string {
  // CSP sources cannot name an IPv6 literal ([::1]); a page opened there still has 'self'.
  const sockets = ['127.0.0.1', 'localhost'].map((name) => `ws://${name}:${port}`).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    // xterm.js and React set styles from script; no remote styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${sockets}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
    'Cache-Control': 'no-store',
  };
}

export type Verdict = { ok: true } | { ok: false; status: number; reason: string };

/**
 * Every request: the Host must be ours; an Origin, when sent, must be ours; a cross-site fetch is
 * refused; then the token (query, first load only) or the session cookie.
 */
export function checkRequest(
  headers: IncomingHttpHeaders,
  port: number,
  token: string,
  queryToken: string | null,
  { requireOrigin = false }: { requireOrigin?: boolean } = {},
): Verdict & { viaQuery?: boolean } {
  if (!hostAllowed(headers.host, port))
    return { ok: false, status: 403, reason: `This server answers only at http://127.0.0.1:${port}.` };
  const origin = headers.origin;
  if (origin !== undefined || requireOrigin) {
    if (!originAllowed(origin, port))
      return { ok: false, status: 403, reason: 'Requests from other sites are refused.' };
  }
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    return { ok: false, status: 403, reason: 'Requests from other sites are refused.' };
  if (sameToken(cookieToken(headers, port), token)) return { ok: true };
  if (queryToken !== null && sameToken(queryToken, token)) return { ok: true, viaQuery: true };
  return {
    ok: false,
    status: 401,
    reason: 'Open Fledge Desktop with the address printed by "npm run serve" (it carries the access key).',
  };
}
