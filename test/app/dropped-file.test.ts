// A plugin installed from a file dropped on the browser-mode window: the app kept the file under its
// data folder until the install, and that path is what plugins.toml records as the source. The person
// never chose that path and it is gone afterwards, so the app names the file they dropped instead,
// and "Check for update" says why there is nothing to look for rather than "Nothing exists at ...".
// Dropping a newer file of an installed plugin updates it from that file (plugins.update `from`),
// for a plugin that came from this computer; one from anywhere else keeps its own source.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Uploads } from '../../electron/engine/app/uploads.js';
import type { Capabilities } from '../../shared/capabilities.js';
import { makeZip } from '../install/archives.js';
import { type AppWorld, appWorld, closeAll, installViaApp, nextEvent, pluginFolder } from './helpers.js';

afterAll(closeAll);

function filesOf(dir: string, root = dir): { name: string; data: Buffer }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesOf(join(dir, e.name), root)
      : [{ name: relative(root, join(dir, e.name)), data: readFileSync(join(dir, e.name)) }],
  );
}

/** The source line of every consent screen shown so far. */
function askedSources(world: AppWorld): string[] {
  return world.seen
    .filter((e) => e.name === 'consent.requested')
    .map((e) => (e.payload as { request: { source: string } }).request.source);
}

/** A zip of the hello plugin at `version`, asking for `declared`, uploaded as `fileName`. */
async function uploadHello(
  world: AppWorld,
  fileName: string,
  version: string,
  declared: Partial<Capabilities>,
): Promise<string> {
  const dir = await pluginFolder(join(world.root, version), 'fledge-hello', 'hello', declared);
  const toml = join(dir, 'plugin.toml');
  writeFileSync(toml, readFileSync(toml, 'utf8').replace('version = "0.1.0"', `version = "${version}"`));
  const zip = join(world.root, fileName);
  await makeZip(zip, filesOf(dir));
  const { uploadId } = await world.client.plugins.upload({
    fileName,
    base64: readFileSync(zip).toString('base64'),
  });
  return uploadId;
}

describe('a plugin installed from a dropped file', () => {
  it('is shown by the name of the file dropped, and an update check says why there is nothing to check', async () => {
    const world = await appWorld();
    const uploadId = await uploadHello(world, 'hello-1.0.zip', '1.0.0', {});
    expect((await installViaApp(world, { kind: 'upload', uploadId })).state).toBe('succeeded');
    expect(askedSources(world)).toEqual(['hello-1.0.zip, dropped on this window']);

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
    expect(refused?.message).toContain('Drop the newer file on this window to update it.');
    expect(refused?.message).not.toContain(uploadId);
    expect(await world.client.operations.list()).toHaveLength(1);
    expect(readFileSync(join(world.configDir, 'plugins.toml'), 'utf8')).toBe(toml);
  });

  it('still shows a folder or archive the person chose by its path, and offers its update from there', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello');
    expect((await installViaApp(world, dir)).state).toBe('succeeded');
    expect(askedSources(world)).toEqual([dir]);
    expect((await world.client.plugins.get({ name: 'fledge-hello' })).source).toBe(dir);
    const again = nextEvent(world.client, 'consent.requested');
    await world.client.plugins.update({ name: 'fledge-hello' });
    const { request: updating } = await again;
    expect(updating).toMatchObject({ kind: 'update', source: dir });
  });
});

describe('dropping a newer file of an installed plugin', () => {
  it('updates it from that file: the consent shows what changes, grants not widened are kept', async () => {
    const world = await appWorld();
    const first = await uploadHello(world, 'hello-1.0.zip', '1.0.0', { store: true });
    expect((await installViaApp(world, { kind: 'upload', uploadId: first }, { store: true })).state).toBe(
      'succeeded',
    );

    const second = await uploadHello(world, 'hello-2.0.zip', '2.0.0', { store: true, clock: true });
    const asked = nextEvent(world.client, 'consent.requested');
    const update = await world.client.plugins.update({
      name: 'fledge-hello',
      from: { kind: 'upload', uploadId: second },
    });
    const ended = nextEvent(world.client, 'operations.finished', (p) => p.operationId === update.operationId);
    const { request } = await asked;
    expect(request).toMatchObject({
      kind: 'update',
      source: 'hello-2.0.zip, dropped on this window',
      update: { fromVersion: '1.0.0', toVersion: '2.0.0', added: ['clock'], unchanged: ['store'] },
    });
    await world.client.consent.answer({
      consentId: request.id,
      decision: { answer: 'install', grants: { store: true }, allowBuild: false },
    });
    expect(await ended).toMatchObject({
      state: 'succeeded',
      outcome: { version: '2.0.0', granted: { store: true, clock: false } },
    });
    const detail = await world.client.plugins.get({ name: 'fledge-hello' });
    expect(detail).toMatchObject({ version: '2.0.0', source: 'hello-2.0.zip, dropped on this window' });
    expect(await world.client.plugins.list()).toHaveLength(1);
    // The dropped file is let go once used, as after an install.
    await expect(
      world.client.plugins.validate({ source: { kind: 'upload', uploadId: second } }),
    ).rejects.toMatchObject({ code: 'upload_unknown' });
  });

  it('is refused for a plugin that came from GitHub, and changes nothing', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello', { store: true });
    expect((await installViaApp(world, dir, { store: true })).state).toBe('succeeded');
    // As if it had been installed from GitHub by the CLI.
    const registry = join(world.configDir, 'plugins.toml');
    const fromGitHub = readFileSync(registry, 'utf8').replace(
      /source = "[^"]+"/,
      'source = "someone/fledge-hello"',
    );
    writeFileSync(registry, fromGitHub);

    const lookalike = await uploadHello(world, 'hello-9.0.zip', '9.0.0', { store: true, exec: true });
    const update = await world.client.plugins.update({
      name: 'fledge-hello',
      from: { kind: 'upload', uploadId: lookalike },
    });
    const ended = await nextEvent(
      world.client,
      'operations.finished',
      (p) => p.operationId === update.operationId,
    );
    expect(ended.state).toBe('failed');
    expect(ended.error?.code).toBe('update_source_differs');
    expect(ended.error?.message).toContain('its updates come from there');
    expect(readFileSync(registry, 'utf8')).toBe(fromGitHub);
    expect(world.seen.filter((e) => e.name === 'consent.requested')).toHaveLength(1);
  });

  it('takes only a folder, an archive or an upload, never a git source', async () => {
    const world = await appWorld();
    await expect(
      world.client.plugins.update({
        name: 'fledge-hello',
        from: { kind: 'git', spec: 'someone/fledge-hello' },
      } as never),
    ).rejects.toMatchObject({ message: expect.stringContaining('only a folder, an archive or an upload') });
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
