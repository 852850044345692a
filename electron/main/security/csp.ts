// The Content-Security-Policy of every page, sent as a response header (by the app:// protocol and
// on every response the session sees), never only as a <meta> tag.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // React and xterm.js set styles from script; no remote styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');

/** Headers every response of ours carries. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

type Headers = Record<string, string[] | string>;

/**
 * session.webRequest.onHeadersReceived: the CSP header on every response, replacing whatever a
 * response said (header names are case-insensitive: every casing of it is dropped first).
 */
export function withCspHeader(responseHeaders: Headers | undefined): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(responseHeaders ?? {}))
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/**
 * The session's onHeadersReceived listener: our CSP on every response, except the developer tools'
 * own pages (devtools://, development only), which bring their own policy.
 */
export function cspHeadersListener(
  details: { url: string; responseHeaders?: Headers },
  callback: (response: { responseHeaders?: Headers }) => void,
): void {
  if (details.url.startsWith('devtools:')) callback({});
  else callback({ responseHeaders: withCspHeader(details.responseHeaders) });
}
