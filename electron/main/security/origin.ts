// Our one origin: the renderer is served from app://fledge (never file://). Everything the main
// process trusts (navigation, IPC senders, permission checks) is compared against it.

export const APP_SCHEME = 'app';
export const APP_HOST = 'fledge';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Whether a URL is one of our own pages (same scheme and host, no credentials, no port). */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/**
 * Whether a link may be handed to the system browser (shell.openExternal): http or https only, a
 * real host name, no credentials, at most 2048 characters. Anything else (file:, javascript:,
 * smb:, custom schemes that start programs) is refused.
 */
export function isSafeExternalUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  if (u.username !== '' || u.password !== '') return false;
  return /^[a-z0-9.-]+$/i.test(u.hostname) && /[a-z0-9]/i.test(u.hostname);
}
