// The app:// protocol serves dist/renderer and nothing else: every way out of the folder is refused
// (plain and encoded `..`, encoded slashes and backslashes, NUL, absolute paths, links that lead
// outside, other hosts and schemes), real files are served with the CSP and the right type.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appProtocolHandler, resolveAppPath } from '../../electron/main/protocol/app-protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/security/csp.js';
import { tempDir } from '../support/temp.js';

const base = tempDir('app-protocol');
const root = join(base, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Fledge</title>');
writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'assets', 'a b.css'), 'body{}');
writeFileSync(join(base, 'secret.txt'), 'SECRET');
symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link-out.txt'));
symlinkSync(base, join(root, 'dir-out'));
const serve = appProtocolHandler(root);

describe('app:// protocol', () => {
  it('serves index.html for the root, with the CSP and nosniff', async () => {
    for (const url of ['app://fledge/', 'app://fledge/index.html']) {
      const r = await serve({ url, method: 'GET' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await r.text()).toContain('<title>Fledge</title>');
    }
  });

  it('serves assets with their type, percent-encoded names decoded once', async () => {
    const js = await serve({ url: 'app://fledge/assets/app.js' });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const css = await serve({ url: 'app://fledge/assets/a%20b.css' });
    expect(css.status).toBe(200);
    expect(await css.text()).toBe('body{}');
  });

  it.each([
    'app://fledge/../secret.txt',
    'app://fledge/assets/../../secret.txt',
    'app://fledge/%2e%2e/secret.txt',
    'app://fledge/assets/%2E%2E/%2e%2e/secret.txt',
    'app://fledge/..%2fsecret.txt',
    'app://fledge/assets/..%2F..%2Fsecret.txt',
    'app://fledge/..%5csecret.txt',
    'app://fledge/assets\\..\\..\\secret.txt',
    'app://fledge/%252e%252e/secret.txt',
    'app://fledge/index.html%00.js',
    `app://fledge/${encodeURIComponent(join(base, 'secret.txt'))}`,
    'app://fledge//etc/passwd',
    'app://fledge/assets/link-out.txt',
    'app://fledge/dir-out/secret.txt',
    'app://fledge/assets',
    'app://fledge/missing.html',
    'app://other/index.html',
    'app://user:pw@fledge/index.html',
    'file:///etc/passwd',
    'https://fledge/index.html',
    'not a url',
  ])('refuses %s with a 404 that reveals nothing', async (url) => {
    const r = await serve({ url, method: 'GET' });
    expect(r.status).toBe(404);
    const body = await r.text();
    expect(body).toBe('Not found');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers only GET and HEAD', async () => {
    expect((await serve({ url: 'app://fledge/index.html', method: 'POST' })).status).toBe(405);
    expect((await serve({ url: 'app://fledge/index.html', method: 'HEAD' })).status).toBe(200);
  });

  it('maps paths only inside the folder (resolveAppPath)', () => {
    expect(resolveAppPath(root, 'app://fledge/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(resolveAppPath(root, 'app://fledge/')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://fledge/%E0%A4%A')).toBeNull(); // malformed escape
    expect(resolveAppPath(root, 'app://fledge/..%2f..%2fetc%2fpasswd')).toBeNull();
  });
});
