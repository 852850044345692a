// The app:// protocol: serves the built renderer (dist/renderer) and nothing else. A request is
// mapped to a file only if its decoded path stays inside the folder: `..` (plain or percent-encoded),
// backslashes, NUL bytes, encoded slashes and links that point outside are all refused (404), and
// every answer carries the strict CSP.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { contentTypeOf } from '../../../shared/content-types.js';
import { securityHeaders } from '../security/csp.js';
import { APP_HOST, APP_SCHEME } from '../security/origin.js';

/** protocol.registerSchemesAsPrivileged: a standard, secure scheme (like https) for our pages. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

/**
 * The path under `root` a request URL names, or null when it is not ours or would leave the
 * folder. Only the syntax is checked here; servePath also checks where links lead.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password) return null;
  const raw = u.pathname;
  // Encoded separators and NUL never name a file of ours; refuse before decoding.
  if (/%2f|%5c|%00/i.test(raw)) return null;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (path.includes('\\') || path.includes('\0')) return null;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.')) return null;
  if (parts.length === 0) parts.push('index.html');
  const full = join(root, ...parts);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return full;
}

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() },
  });
}

/** Reads a file for a request, if it is a regular file really inside `root` (links resolved). */
async function servePath(root: string, path: string): Promise<Response> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path);
    const rel = relative(realRoot, real);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..'))
      return notFound();
    if (!(await stat(real)).isFile()) return notFound();
    const body = await readFile(real);
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(extname(real)),
        ...securityHeaders(),
      },
    });
  } catch {
    return notFound();
  }
}

/** protocol.handle('app', ...): our renderer folder, nothing else, only GET/HEAD. */
export function appProtocolHandler(root: string) {
  return async (request: { url: string; method?: string }): Promise<Response> => {
    if (request.method && request.method !== 'GET' && request.method !== 'HEAD')
      return new Response('Method not allowed', { status: 405, headers: securityHeaders() });
    const path = resolveAppPath(root, request.url);
    return path ? servePath(root, path) : notFound();
  };
}
