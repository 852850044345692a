// Browser mode's defences, with a real HTTP client and a real WebSocket client: the token and its
// cookie, foreign Origins, DNS rebinding (a Host that is not a loopback name), loopback only,
// path tricks on the static files, and the upload and frame size caps.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AppService } from '../../electron/engine/app/index.js';
import { startServer } from '../../electron/serve/server.js';
import { closeAll } from '../app/helpers.js';
import { tempDir } from '../support/temp.js';
import { closeServers, get, servedWorld, tryWebSocket } from './helpers.js';

afterAll(async () => {
  await closeServers();
  await closeAll();
});

const world = await servedWorld();
const { server, cookie, origin } = world;
const base = `http://127.0.0.1:${server.port}`;

describe('browser mode: who may talk to the server', () => {
  it('listens on 127.0.0.1 only, and prints an address with a long random token', () => {
    expect(server.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`),
    );
  });

  it('refuses a request without the token', async () => {
    const r = await get(`${base}/`);
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/address printed by "npm run serve"/);
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a wrong token, in the address and in the cookie', async () => {
    expect((await get(`${base}/?token=${'x'.repeat(43)}`)).status).toBe(401);
    expect((await get(`${base}/?token=`)).status).toBe(401);
    expect((await get(`${base}/`, { Cookie: `fledge_session_${server.port}=wrong` })).status).toBe(401);
    // Another server's cookie (another port) is not ours.
    expect((await get(`${base}/`, { Cookie: `fledge_session_1=${server.token}` })).status).toBe(401);
  });

  it('swaps the token for an HttpOnly SameSite=Strict cookie and takes it out of the address', async () => {
    const r = await get(server.url);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const set = String(r.headers['set-cookie']?.[0]);
    expect(set).toMatch(new RegExp(`^fledge_session_${server.port}=${server.token}; `));
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    const page = await get(`${base}/`, { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/fledge-bridge.js"></script>');
  });

  it('sends a strict Content-Security-Policy and the other security headers on every answer', async () => {
    const r = await get(`${base}/`, { Cookie: cookie });
    const csp = String(r.headers['content-security-policy']);
    for (const d of [
      "default-src 'none'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ])
      expect(csp).toContain(d);
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|\*)/);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const refused = await get(`${base}/`);
    expect(refused.headers['content-security-policy']).toBe(csp);
  });

  it('refuses a foreign Origin and a cross-site fetch, even with the cookie', async () => {
    expect((await get(`${base}/`, { Cookie: cookie, Origin: 'https://evil.example' })).status).toBe(403);
    expect((await get(`${base}/`, { Cookie: cookie, Origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await get(`${base}/`, { Cookie: cookie, Origin: 'null' })).status).toBe(403);
    expect((await get(`${base}/`, { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    // Another port of localhost is the same site: its pages are not ours either.
    expect((await get(`${base}/`, { Cookie: cookie, 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await get(`${base}/`, { Cookie: cookie, Origin: origin })).status).toBe(200);
  });

  it('refuses a Host that is not a loopback name (DNS rebinding), even with the token', async () => {
    for (const host of [
      `evil.example:${server.port}`,
      `127.0.0.1.nip.io:${server.port}`,
      'localhost',
      `127.0.0.1:${server.port + 1}`,
    ]) {
      const r = await get(server.url, { Host: host, Cookie: cookie });
      expect(r.status, host).toBe(403);
      expect(r.body).toMatch(/answers only at http:\/\/127\.0\.0\.1/);
    }
    expect((await get(`${base}/`, { Host: `localhost:${server.port}`, Cookie: cookie })).status).toBe(200);
  });

  it('refuses WebSockets without the cookie, from a foreign or missing Origin, or with a foreign Host', async () => {
    const port = server.port;
    expect(await tryWebSocket(port, { Origin: origin, Cookie: cookie })).toBe('open');
    expect(await tryWebSocket(port, { Origin: origin })).toBe(401);
    expect(await tryWebSocket(port, { Origin: origin, Cookie: `fledge_session_${port}=nope` })).toBe(401);
    expect(await tryWebSocket(port, { Origin: 'https://evil.example', Cookie: cookie })).toBe(403);
    expect(await tryWebSocket(port, { Cookie: cookie })).toBe(403);
    expect(await tryWebSocket(port, { Origin: origin, Cookie: cookie, Host: `evil.example:${port}` })).toBe(
      403,
    );
    expect(await tryWebSocket(port, { Origin: origin, Cookie: cookie }, '/other')).toBe(404);
  });

  it('does not answer on a non-loopback address', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    const target = external ?? '0.0.0.0';
    const outcome = await new Promise<string>((resolve) => {
      const s = createConnection({ host: target, port: server.port });
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(outcome).not.toBe('connected');
  });
});

describe('browser mode: static files', () => {
  it('serves files of the renderer folder only (no .., encoded or not; no link out of it)', async () => {
    const root = tempDir('static');
    const dir = join(root, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<html><head></head><body>app</body></html>');
    writeFileSync(join(dir, 'assets', 'a.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    symlinkSync(join(root, 'secret.txt'), join(dir, 'assets', 'link.txt'));
    const service = await new AppService({ configDir: join(root, 'cfg'), mode: 'browser' }).start();
    const s = await startServer({ service, rendererDir: dir, bridgeFile: join(root, 'bridge.js') });
    try {
      const c = String((await get(s.url)).headers['set-cookie']?.[0]).split(';')[0]!;
      const at = (p: string) => get(`http://127.0.0.1:${s.port}${p}`, { Cookie: c });
      expect((await at('/assets/a.js')).body).toBe('console.log(1)');
      expect((await at('/assets/a.js')).headers['content-type']).toMatch(/text\/javascript/);
      for (const p of [
        '/../secret.txt',
        '/assets/../../secret.txt',
        '/%2e%2e/secret.txt',
        '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
        '/assets/link.txt',
        '/assets/..%5c..%5csecret.txt',
        '/%00.js',
      ])
        expect((await at(p)).body, p).not.toContain('secret');
      expect((await at('/some/screen')).body).toContain('app');
    } finally {
      await s.close();
      await service.close();
    }
  });
});

describe('browser mode: sizes', () => {
  it('refuses an upload over the cap naming the field, and a frame over the WebSocket cap by closing', async () => {
    const { client } = world.wsClient();
    const big = 'A'.repeat(44 * 1024 * 1024);
    await expect(client.plugins.upload({ fileName: 'p.zip', base64: big })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/base64 is too large: archives up to 32 MB/),
    });
    // The server checks too (a page may skip the client): the same refusal for the raw frame.
    const raw = await new Promise<unknown>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc`, {
        headers: { Origin: origin, Cookie: cookie },
      });
      ws.on('open', () =>
        ws.send(
          JSON.stringify({
            t: 'call',
            id: 7,
            method: 'plugins.upload',
            params: { fileName: 'p.zip', base64: big },
          }),
        ),
      );
      ws.on('message', (d) => {
        resolve(JSON.parse(String(d)));
        ws.close();
      });
    });
    expect(raw).toMatchObject({
      t: 'reply',
      id: 7,
      reply: {
        ok: false,
        error: { code: 'invalid_request', message: expect.stringMatching(/base64 is too large/) },
      },
    });
    const closed = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc`, {
        headers: { Origin: origin, Cookie: cookie },
      });
      ws.on('open', () => ws.send('x'.repeat(49 * 1024 * 1024)));
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => undefined);
    });
    expect(closed).toBe(1009);
    // The server still answers.
    expect((await client.app.info()).mode).toBe('browser');
  });
});
