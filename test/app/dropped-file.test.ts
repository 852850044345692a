// A plugin installed from a file dropped on the browser-mode window: the app kept the file under its
// data folder until the install, and that path is what plugins.toml records as the source. The person
// never chose that path and it is gone afterwards, so the app names the file they dropped instead,
// and "Check for update" says why there is nothing to look for rather than "Nothing exists at ...".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Uploads } from '../../electron/engine/app/uploads.js';
import { makeZip } from '../install/archives.js';
import { appWorld, closeAll, nextEvent, pluginFolder } from './helpers.js';

afterAll(closeAll);

function filesOf(dir: string, root = dir): { name: string; data: Buffer }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesOf(join(dir, e.name), root)
      : [{ name: relative(root, join(dir, e.name)), data: readFileSync(join(dir, e.name)) }],
  );
}

describe('a plugin installed from a dropped file', () => {
  it('is shown by the name of the file dropped, and an update check says why there is nothing to check', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello');
    const zip = join(world.root, 'hello-1.0.zip');
    await makeZip(zip, filesOf(dir));
    const { uploadId } = await world.client.plugins.upload({
      fileName: 'hello-1.0.zip',
      base64: readFileSync(zip).toString('base64'),
    });

    const consent = nextEvent(world.client, 'consent.requested');
    const { operationId } = await world.client.plugins.install({ source: { kind: 'upload', uploadId } });
    const finished = nextEvent(world.client, 'operations.finished', (p) => p.operationId === operationId);
    const { request } = await consent;
    expect(request.source).toBe('hello-1.0.zip, dropped on this window');
    await world.client.consent.answer({
      consentId: request.id,
      decision: { answer: 'install', grants: {}, allowBuild: false },
    });
    expect((await finished).state).toBe('succeeded');

    // plugins.toml keeps the path, as the CLI would read it; the file itself is gone.
    const toml = readFileSync(join(world.configDir, 'plugins.toml'), 'utf8');
    const recorded = /source = "([^"]+)"/.exec(toml)?.[1] ?? '';
    expect(recorded).toContain(uploadId);
    expect(existsSync(recorded)).toBe(false);

    const [listed] = await world.client.plugins.list();
    expect(listed?.source).toBe('hello-1.0.zip, dropped on this window');
    expect((await world.client.plugins.get({ name: 'fledge-hello' })).source).toBe(
      'hello-1.0.zip, dropped on this window',
    );

    const refused = await world.client.plugins.update({ name: 'fledge-hello' }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(refused?.code).toBe('update_dropped_file');
    expect(refused?.message).toContain('was installed from hello-1.0.zip, a file dropped on this window');
    expect(refused?.message).not.toContain(uploadId);
    expect(await world.client.operations.list()).toHaveLength(1);
    expect(readFileSync(join(world.configDir, 'plugins.toml'), 'utf8')).toBe(toml);
  });

  it('still shows a folder or archive the person chose by its path, and offers its update from there', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello');
    const consent = nextEvent(world.client, 'consent.requested');
    const { operationId } = await world.client.plugins.install({ source: { kind: 'path', path: dir } });
    const finished = nextEvent(world.client, 'operations.finished', (p) => p.operationId === operationId);
    const { request } = await consent;
    expect(request.source).toBe(dir);
    await world.client.consent.answer({
      consentId: request.id,
      decision: { answer: 'install', grants: {}, allowBuild: false },
    });
    expect((await finished).state).toBe('succeeded');
    expect((await world.client.plugins.get({ name: 'fledge-hello' })).source).toBe(dir);
    const again = nextEvent(world.client, 'consent.requested');
    await world.client.plugins.update({ name: 'fledge-hello' });
    const { request: updating } = await again;
    expect(updating).toMatchObject({ kind: 'update', source: dir });
  });
});

describe('Uploads.droppedName', () => {
  const root = '/data/fledge-desktop/uploads';
  const uploads = new Uploads(root);
  const id = '7abe6def-7618-4523-ade9-903133a020b5';

  it('names the file only for a path where it keeps a dropped file', () => {
    expect(uploads.droppedName(`${root}/${id}/demo.zip`)).toBe('demo.zip');
    expect(uploads.describe(`${root}/${id}/demo.zip`)).toBe('demo.zip, dropped on this window');
  });

  it('leaves every other source as recorded, lookalikes included', () => {
    for (const source of [
      `${root}/not-an-id/demo.zip`,
      `${root}/${id}/inner/demo.zip`,
      `${root}/${id}`,
      `${root}/../${id}/demo.zip`,
      `/elsewhere/uploads/${id}/demo.zip`,
      `${id}/demo.zip`,
      'CorvidLabs/fledge-sprout',
      'https://github.com/CorvidLabs/fledge-sprout',
    ]) {
      expect(uploads.droppedName(source)).toBeNull();
      expect(uploads.describe(source)).toBe(source);
    }
  });
});
