// What makes a window's first screen quick in browser mode, and what must stay true meanwhile: the
// plugin list is read as the window connects and given to its first call, never once a plugin has
// changed since (that window then gets the list as it is now); content-named build files may be kept
// by the browser, the bridge is kept only with an ETag, and the page itself is never stored.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppService } from '../../electron/engine/app/index.js';
import { startServer } from '../../electron/serve/server.js';
import type { Dispatch } from '../../shared/ipc/index.js';
import { appWorld, closeAll, installViaApp, pluginFolder } from '../app/helpers.js';
import { tempDir } from '../support/temp.js';
import { closeServers, get, servedWorld } from './helpers.js';

afterAll(async () => {
  await closeServers();
  await closeAll();
});

/** Counts the plugins.list calls the server makes of the app service. */
function countLists(service: AppService): () => number {
  let lists = 0;
  const dispatch: Dispatch = service.dispatch;
  Object.defineProperty(service, 'dispatch', {
    value: ((method, params, context) => {
      if (method === 'plugins.list') lists++;
      return dispatch(method, params, context);
    }) satisfies Dispatch,
  });
  return () => lists;
}

describe('browser mode: the first screen', () => {
  it('reads the plugin list as a window connects and answers its first call with it', async () => {
    const base = await appWorld({ mode: 'browser' });
    const lists = countLists(base.service);
    const world = await servedWorld({}, base);
    const { client } = world.wsClient();
    await expect.poll(lists, { timeout: 5000 }).toBe(1);
    expect(await client.plugins.list()).toEqual([]);
    expect(lists()).toBe(1);
    // Only the first call: the next ones read the plugins again.
    await client.plugins.list();
    expect(lists()).toBe(2);
  });

  it('never gives a window the list read before a plugin changed', async () => {
    const base = await appWorld({ mode: 'browser' });
    const lists = countLists(base.service);
    const world = await servedWorld({}, base);
    const { client } = world.wsClient();
    await expect.poll(lists, { timeout: 5000 }).toBe(1);
    // Installed after the window's early read, before its first call.
    await installViaApp(world, await pluginFolder(world.root, 'late-comer', 'hello'));
    await expect
      .poll(() => world.seen.some((e) => e.name === 'plugins.changed'), { timeout: 5000 })
      .toBe(true);
    await new Promise((r) => setTimeout(r, 50)); // the batch has reached the connection too
    expect((await client.plugins.list()).map((p) => p.name)).toEqual(['late-comer']);
  });
});

describe('browser mode: what the browser may keep', () => {
  it('keeps content-named build files, asks after the bridge by ETag, never stores the page', async () => {
    const root = tempDir('first-screen');
    const dir = join(root, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<html><head></head><body>app</body></html>');
    writeFileSync(join(dir, 'assets', 'index-AbCd1234.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'plain.js'), 'console.log(2)');
    writeFileSync(join(root, 'bridge.js'), 'console.log("bridge")');
    const service = await new AppService({ configDir: join(root, 'cfg'), mode: 'browser' }).start();
    const s = await startServer({ service, rendererDir: dir, bridgeFile: join(root, 'bridge.js') });
    try {
      const c = String((await get(s.url)).headers['set-cookie']?.[0]).split(';')[0]!;
      const at = (p: string, h: Record<string, string> = {}) =>
        get(`http://127.0.0.1:${s.port}${p}`, { Cookie: c, ...h });
      expect((await at('/assets/index-AbCd1234.js')).headers['cache-control']).toMatch(/immutable/);
      expect((await at('/assets/plain.js')).headers['cache-control']).toBe('no-store');
      expect((await at('/')).headers['cache-control']).toBe('no-store');
      expect((await at('/assets/missing-AbCd1234.js')).headers['cache-control']).toBe('no-store');
      const bridge = await at('/fledge-bridge.js');
      expect(bridge.body).toContain('bridge');
      expect(bridge.headers['cache-control']).toBe('private, no-cache');
      const etag = String(bridge.headers.etag);
      const again = await at('/fledge-bridge.js', { 'If-None-Match': etag });
      expect(again.status).toBe(304);
      expect(again.body).toBe('');
      // A changed bridge is sent again, with another ETag.
      writeFileSync(join(root, 'bridge.js'), 'console.log("bridge 2")');
      const changed = await at('/fledge-bridge.js', { 'If-None-Match': etag });
      expect(changed.status).toBe(200);
      expect(changed.body).toContain('bridge 2');
      expect(changed.headers.etag).not.toBe(etag);
      // Without the cookie, nothing: not even a 304.
      expect(
        (await get(`http://127.0.0.1:${s.port}/fledge-bridge.js`, { 'If-None-Match': etag })).status,
      ).toBe(401);
    } finally {
      await s.close();
      await service.close();
    }
  });
});
