/**
 * Serves the built renderer (dist/renderer) and the browser bridge: a request path is resolved
 * beneath the folder, links are followed only while they stay inside, only regular files are read;
 * a path without a file extension gets index.html, with the bridge script put first in <head>.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { contentTypeOf } from '../../shared/content-types.js';

export const BRIDGE_PATH = '/fledge-bridge.js';

export interface StaticFile {
  status: number;
  type: string;
  body: Buffer | string;
  /** A build output named by its content (Vite's assets/<name>-<hash>.<ext>): it never changes under its name. */
  immutable?: boolean;
  /** For a file kept under a fixed name (the bridge): the browser may keep it, asking each time whether it changed. */
  etag?: string;
}

/** Vite names every file it emits under assets/ with a hash of its content. */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fledge Desktop</title></head>
<body><main><h1>Fledge Desktop</h1><p>The screens are not built yet. Run <code>npm start</code> (it builds them), then reload this page.</p></main></body></html>`;

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export class StaticFiles {
  constructor(
    private readonly rendererDir: string,
    private readonly bridgeFile: string,
  ) {}

  async get(urlPath: string): Promise<StaticFile> {
    let path: string;
    try {
      path = decodeURIComponent(urlPath);
    } catch {
      return notFound();
    }
    if (path.includes('\u0000') || path.includes('\\')) return notFound();
    if (path === BRIDGE_PATH) {
      const file = await this.file(this.bridgeFile, '.js');
      if (file.status !== 200) return file;
      return {
        ...file,
        etag: `"${createHash('sha256').update(file.body).digest('base64url').slice(0, 27)}"`,
      };
    }
    const clean = normalize(path).replace(/^(\.\.(\/|$))+/, '');
    if (extname(clean) === '') return this.index();
    const root = await realpath(this.rendererDir).catch(() => null);
    if (!root) return notFound();
    const target = join(root, clean);
    if (!inside(root, target)) return notFound();
    const real = await realpath(target).catch(() => null);
    if (!real || !inside(root, real)) return clean === '/favicon.ico' ? noIcon() : notFound();
    const file = await this.file(real, extname(real));
    return file.status === 200 && HASHED_ASSET.test(clean) ? { ...file, immutable: true } : file;
  }

  private async index(): Promise<StaticFile> {
    const html = await readFile(join(this.rendererDir, 'index.html'), 'utf8').catch(() => NOT_BUILT);
    // Classic (non-module) script: it runs before the app's module scripts, so window.fledge is there first.
    const tag = `<script src="${BRIDGE_PATH}"></script>`;
    const body = /<head[^>]*>/i.test(html)
      ? html.replace(/<head[^>]*>/i, (h) => `${h}${tag}`)
      : `${tag}${html}`;
    return { status: 200, type: contentTypeOf('.html'), body };
  }

  private async file(path: string, ext: string): Promise<StaticFile> {
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) return notFound();
    return { status: 200, type: contentTypeOf(ext), body: await readFile(path) };
  }
}

/** Browsers ask for a favicon on their own; without one, an empty answer rather than an error. */
function noIcon(): StaticFile {
  return { status: 204, type: 'image/x-icon', body: '' };
}

function notFound(): StaticFile {
  return { status: 404, type: contentTypeOf('.txt'), body: 'Not found.' };
}
