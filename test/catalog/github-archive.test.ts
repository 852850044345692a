// The source archive GitHub answers with is untrusted too: it goes through the same safe extraction
// as a local .tar.gz (no climbing out, no links), and its download is capped while it arrives.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApi } from '../../electron/engine/install/github-api.js';
import { fetchForInstall } from '../../electron/engine/install/github-install.js';
import { DEFAULT_INSTALL_LIMITS } from '../../electron/engine/install/limits.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { makeTar } from '../install/archives.js';
import { refusal } from '../install/helpers.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { rustManifest } from './helpers.js';

let gh: GitHubStandIn;
let outside: string;

async function tarball(items: Parameters<typeof makeTar>[1]): Promise<Buffer> {
  const file = join(tempDir('tar'), 'a.tar.gz');
  await makeTar(file, items);
  return readFileSync(file);
}

beforeAll(async () => {
  outside = join(tempDir('outside'), 'escaped.txt');
  const manifest = rustManifest('fledge-evil');
  gh = await startGitHubStandIn({
    repos: [
      {
        owner: 'someone',
        name: 'fledge-slip',
        files: {},
        archive: await tarball([
          { name: 'someone-fledge-slip-abc/plugin.toml', data: manifest },
          { name: `someone-fledge-slip-abc/../../../../../../../..${outside}`, data: 'gotcha' },
        ]),
      },
      {
        owner: 'someone',
        name: 'fledge-link',
        files: {},
        archive: await tarball([
          { name: 'someone-fledge-link-abc/plugin.toml', data: manifest },
          { name: 'someone-fledge-link-abc/target', type: 'symlink', linkname: '/etc' },
        ]),
      },
      {
        owner: 'someone',
        name: 'fledge-heavy',
        // Random bytes do not compress: the archive is as large as its contents.
        files: {
          'plugin.toml': manifest,
          'blob.bin': new Uint8Array(3 * 1024 * 1024).map(() => Math.floor(Math.random() * 256)),
        },
      },
    ],
  });
});
afterAll(() => gh.close());

const prompt = async () => ({ granted: { ...NO_CAPABILITIES }, allowBuild: false });

describe('the source archive from GitHub', () => {
  it('an entry that climbs out with ".." is refused, and nothing is written outside', async () => {
    const root = tempDir('gh');
    const service = new PluginService(join(root, 'config'), root, { baseUrl: gh.url });
    const err = await refusal(service.install('someone/fledge-slip', prompt));
    expect(err.code).toBe('archive_unsafe_path');
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(root, 'config', 'plugins.toml'))).toBe(false);
  });

  it('a symbolic link in it is refused', async () => {
    const root = tempDir('gh');
    const service = new PluginService(join(root, 'config'), root, { baseUrl: gh.url });
    expect((await refusal(service.install('someone/fledge-link', prompt))).code).toBe('archive_symlink');
  });

  it('a download larger than the install limit is stopped at the limit, and its partial file removed', async () => {
    const root = tempDir('gh');
    const pluginsDir = join(root, 'config', 'plugins');
    const err = await refusal(
      fetchForInstall('someone/fledge-heavy', {
        pluginsDir,
        cwd: root,
        github: new GitHubApi({ baseUrl: gh.url }),
        limits: { ...DEFAULT_INSTALL_LIMITS, maxTotalBytes: 1024 * 1024 },
      }),
    );
    expect(err.code).toBe('download_too_large');
    expect(err.message).toBe('The source of someone/fledge-heavy@main is larger than 1 MB; it was refused.');
    const downloads = join(root, 'config', 'fledge-desktop', 'downloads');
    expect(existsSync(downloads) ? readdirSync(downloads) : []).toEqual([]);
  });
});
