// Installing from GitHub without git, against the stand-in: the release's prebuilt wasm, the
// resolved commit as pinned_ref, a missing toolchain said plainly, size caps while downloading,
// wasm and checksum checks, progress and cancellation, and nothing left behind on any refusal.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../electron/engine/catalog/index.js';
import { findProgram } from '../../electron/engine/pack/toolchain.js';
import type { ConsentRequest } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { refusal } from '../install/helpers.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { emptyPath, helloWasm, runCliAsync, rustManifest } from './helpers.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let wasm: Uint8Array;
let gh: GitHubStandIn;

function repo(
  name: string,
  release: Partial<StandInRepo['releases'] extends (infer R)[] | undefined ? R : never> | null,
  extra: Partial<StandInRepo> = {},
): StandInRepo {
  const files = {
    'plugin.toml': rustManifest(name),
    'src/main.rs': 'fn main() {}\n',
    'Cargo.toml': `[package]\nname = "${name}"\n`,
  };
  return {
    owner: 'someone',
    name,
    files,
    releases: release === null ? [] : [{ tag: 'v1.0.0', ...release }],
    ...extra,
  };
}

beforeAll(async () => {
  wasm = await helloWasm();
  const notWasm = new TextEncoder().encode('MZ this is a Windows program, not wasm');
  const badWasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff]);
  gh = await startGitHubStandIn({
    repos: [
      repo('fledge-hello', {
        assets: [
          { name: 'fledge-hello.wasm', content: wasm },
          { name: 'fledge-hello.wasm.sha256', content: `${sha256(wasm)}  fledge-hello.wasm\n` },
        ],
      }),
      repo('fledge-unbuilt', { assets: [{ name: 'notes.txt', content: 'no wasm here' }] }),
      repo('fledge-big', {
        assets: [
          { name: 'fledge-big.wasm', streamBytes: 200 * 1024 * 1024, omitLength: true, listedSize: 900 },
        ],
      }),
      repo('fledge-huge', { assets: [{ name: 'fledge-huge.wasm', streamBytes: 300 * 1024 * 1024 }] }),
      repo('fledge-notwasm', { assets: [{ name: 'fledge-notwasm.wasm', content: notWasm }] }),
      repo('fledge-badwasm', { assets: [{ name: 'fledge-badwasm.wasm', content: badWasm }] }),
      repo('fledge-badsum', {
        assets: [
          { name: 'fledge-badsum.wasm', content: wasm },
          { name: 'fledge-badsum.wasm.sha256', content: `${'0'.repeat(64)}  fledge-badsum.wasm\n` },
        ],
      }),
      // No release: the default branch, with the wasm committed (no build hook needed).
      {
        owner: 'CorvidLabs',
        name: 'fledge-branchy',
        defaultBranch: 'trunk',
        files: {
          'plugin.toml': rustManifest('fledge-branchy').replace(/\[hooks\]\nbuild = .*\n/, ''),
          'target/wasm32-wasip1/release/fledge-branchy.wasm': wasm,
        },
        branches: {
          next: {
            'plugin.toml': rustManifest('fledge-branchy', '2.0.0').replace(/\[hooks\]\nbuild = .*\n/, ''),
            'target/wasm32-wasip1/release/fledge-branchy.wasm': wasm,
          },
        },
      },
    ],
  });
});
afterAll(() => gh.close());

function service() {
  const root = tempDir('ghinstall');
  const config = join(root, 'config');
  return { root, config, service: new PluginService(config, root, { baseUrl: gh.url, token: null }) };
}

function consent() {
  const seen: ConsentRequest[] = [];
  return {
    seen,
    prompt: async (req: ConsentRequest) => {
      seen.push(req);
      return { granted: { ...NO_CAPABILITIES }, allowBuild: false };
    },
  };
}

/** Nothing of a refused install remains: no plugin folder, no registry entry, no staging or download left. */
function expectNothingLeft(config: string) {
  const plugins = join(config, 'plugins');
  expect(existsSync(plugins) ? readdirSync(plugins).filter((n) => n !== '.staging') : []).toEqual([]);
  for (const dir of [
    join(config, 'fledge-desktop', 'staging'),
    join(config, 'fledge-desktop', 'downloads'),
    join(plugins, '.staging'),
  ])
    expect(existsSync(dir) ? readdirSync(dir).filter((n) => !n.endsWith('.lock')) : []).toEqual([]);
  const reg = existsSync(join(config, 'plugins.toml'))
    ? parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8')).plugins
    : [];
  expect(reg).toEqual([]);
}

describe('a plugin whose release carries the wasm', () => {
  it('installs with no git and no Rust on PATH, and runs', async () => {
    const path = emptyPath();
    expect(await findProgram('git', { PATH: path }, path)).toBeNull();
    expect(await findProgram('cargo', { PATH: path }, path)).toBeNull();
    const root = tempDir('nogit');
    const env = {
      PATH: path,
      HOME: root,
      FLEDGE_CONFIG_DIR: join(root, 'cfg'),
      FLEDGE_GITHUB_API_URL: gh.url,
    };
    const install = await runCliAsync(['plugins', 'install', 'someone/fledge-hello', '--yes'], env);
    expect(install.stderr).not.toMatch(/needs git|Rust is not installed/);
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/Installed fledge-hello 1\.0\.0 \(unverified\)/);
    expect(install.stderr).toMatch(/Downloading fledge-hello\.wasm \(v1\.0\.0\)/);
    // The consent text shows what was downloaded instead of built.
    expect(install.stderr).toContain(
      `Prebuilt wasm (downloaded from the release, not built here): target/wasm32-wasip1/release/fledge-hello.wasm = fledge-hello.wasm of v1.0.0, ${wasm.length} bytes, SHA-256 ${sha256(wasm)} (matches the published .sha256)`,
    );
    expect(install.stderr).not.toContain('Build hook');
    const run = await runCliAsync(['run', 'fledge-hello'], env);
    expect(run.stdout).toContain('hello from the release');
    expect(run.code).toBe(0);
    const entry = parseRegistry(readFileSync(join(root, 'cfg', 'plugins.toml'), 'utf8')).plugins[0]!;
    expect(entry.source).toBe('someone/fledge-hello');
    expect(entry.pinned_ref).toBe(gh.commitOf('someone', 'fledge-hello', 'v1.0.0'));
  });

  it('shows the asset, its size, its SHA-256 and the published checksum on the consent request, and skips the build', async () => {
    const { config, service: s } = service();
    const { seen, prompt } = consent();
    const out = await s.install('https://github.com/someone/fledge-hello', prompt);
    expect(seen[0]?.prebuilt).toEqual([
      {
        binary: 'target/wasm32-wasip1/release/fledge-hello.wasm',
        asset: 'fledge-hello.wasm',
        release: 'v1.0.0',
        bytes: wasm.length,
        sha256: sha256(wasm),
        checksum: 'match',
      },
    ]);
    expect(seen[0]?.buildHook).toBeNull();
    // Downloaded from the API's asset address, asking for the bytes (works for private repositories).
    const assetRequest = gh.requests.find(
      (r) => r.url === '/repos/someone/fledge-hello/releases/assets/v1.0.0/fledge-hello.wasm',
    );
    expect(assetRequest?.headers.accept).toBe('application/octet-stream');
    expect(out.warnings.join('\n')).not.toMatch(/build hook/);
    // Pinned like any installed wasm: the approval records its hash.
    const consentFile = JSON.parse(readFileSync(join(config, 'fledge-desktop', 'consent.json'), 'utf8'));
    expect(consentFile['fledge-hello'].wasm['target/wasm32-wasip1/release/fledge-hello.wasm']).toBe(
      sha256(wasm),
    );
  });

  it('reports progress in order, with bytes, ending in done', async () => {
    const { service: s } = service();
    const events: InstallProgress[] = [];
    await s.install('someone/fledge-hello', consent().prompt, { onProgress: (p) => events.push(p) });
    const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['resolving', 'downloading', 'extracting', 'downloading', 'preparing', 'done']);
    const last = events.filter((e) => e.phase === 'downloading').at(-1)!;
    expect(last).toMatchObject({ bytes: wasm.length, total: wasm.length });
  });
});

describe('what is installed', () => {
  it('pinned_ref is the resolved commit: the latest release, a branch asked for, or the default branch', async () => {
    const { config, service: s } = service();
    await s.install('CorvidLabs/fledge-branchy@next', consent().prompt);
    let reg = parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8')).plugins;
    expect(reg[0]).toMatchObject({
      version: '2.0.0',
      pinned_ref: gh.commitOf('CorvidLabs', 'fledge-branchy', 'next'),
    });
    await s.remove('fledge-branchy');
    const out = await s.install('CorvidLabs/fledge-branchy', consent().prompt);
    expect(out.tier).toBe('official');
    reg = parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8')).plugins;
    expect(reg[0]).toMatchObject({
      version: '1.0.0',
      pinned_ref: gh.commitOf('CorvidLabs', 'fledge-branchy', 'trunk'),
    });
    expect(reg[0]?.pinned_ref).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a ref that does not exist, or a repository that does not, is said plainly', async () => {
    const { config, service: s } = service();
    expect((await refusal(s.install('CorvidLabs/fledge-branchy@nope', consent().prompt))).message).toBe(
      'There is no branch, tag or commit "nope" in CorvidLabs/fledge-branchy.',
    );
    expect((await refusal(s.install('someone/does-not-exist', consent().prompt))).message).toMatch(
      /^There is no repository someone\/does-not-exist on 127\.0\.0\.1:\d+ \(or it is private: set a GitHub token\)\.$/,
    );
    expectNothingLeft(config);
  });
});

describe('refusals that leave nothing behind', () => {
  it('a plugin without a prebuilt wasm reports the missing toolchain in plain words (no Rust on PATH)', async () => {
    const root = tempDir('norust');
    const env = {
      PATH: emptyPath(),
      HOME: root,
      FLEDGE_CONFIG_DIR: join(root, 'cfg'),
      FLEDGE_GITHUB_API_URL: gh.url,
    };
    const r = await runCliAsync(
      ['plugins', 'install', 'someone/fledge-unbuilt', '--yes', '--allow-build'],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '"fledge-unbuilt" has to be built from its source before it can run (target/wasm32-wasip1/release/fledge-unbuilt.wasm is not included, and its release carries no prebuilt wasm for it), with: cargo build --target wasm32-wasip1 --release',
    );
    expect(r.stderr).toContain(
      'Rust is not installed on this computer (no "cargo" was found). Get Rust from https://rustup.rs, then add the WebAssembly target with: rustup target add wasm32-wasip1',
    );
    expectNothingLeft(join(root, 'cfg'));
  });

  it('an oversized download whose size was not announced is stopped at the cap', async () => {
    const { config, service: s } = service();
    const { seen, prompt } = consent();
    const err = await refusal(s.install('someone/fledge-big', prompt));
    expect(err.code).toBe('download_too_large');
    expect(err.message).toBe(
      'The release asset fledge-big.wasm (v1.0.0) is larger than 64 MB; it was refused.',
    );
    // Stopped early: the stand-in had 200 MB to send and sent little more than the cap.
    const sent = gh.bytesSent.get('/_downloads/someone/fledge-big/v1.0.0/fledge-big.wasm') ?? 0;
    expect(sent).toBeGreaterThan(64 * 1024 * 1024);
    expect(sent).toBeLessThan(100 * 1024 * 1024);
    expect(seen).toEqual([]);
    expectNothingLeft(config);
  });

  it('an asset listed as too big is refused before a byte is downloaded', async () => {
    const { config, service: s } = service();
    const err = await refusal(s.install('someone/fledge-huge', consent().prompt));
    expect(err.message).toBe(
      'The release asset fledge-huge.wasm (v1.0.0) is 300 MB, more than the 64 MB allowed; it was refused.',
    );
    expect(gh.bytesSent.get('/_downloads/someone/fledge-huge/v1.0.0/fledge-huge.wasm')).toBeUndefined();
    expectNothingLeft(config);
  });

  it('a release asset that is not WebAssembly, or not a valid module, is refused', async () => {
    const { config, service: s } = service();
    const a = await refusal(s.install('someone/fledge-notwasm', consent().prompt));
    expect(a.code).toBe('asset_not_wasm');
    expect(a.message).toMatch(
      /^The release asset fledge-notwasm\.wasm \(v1\.0\.0\) is not a WebAssembly module/,
    );
    const b = await refusal(s.install('someone/fledge-badwasm', consent().prompt));
    expect(b.code).toBe('asset_bad_wasm');
    expect(b.message).toMatch(/starts like WebAssembly but is not a valid module; it was not installed\.$/);
    expectNothingLeft(config);
  });

  it('a wasm that disagrees with its published .sha256 is refused', async () => {
    const { config, service: s } = service();
    const err = await refusal(s.install('someone/fledge-badsum', consent().prompt));
    expect(err.code).toBe('asset_checksum_mismatch');
    expect(err.message).toContain(`expected ${'0'.repeat(64)}, got ${sha256(wasm)}`);
    expectNothingLeft(config);
  });

  it('cancelling while it downloads stops the install and leaves nothing', async () => {
    const { config, service: s } = service();
    const controller = new AbortController();
    const err = await refusal(
      s.install('someone/fledge-big', consent().prompt, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'downloading' && (p.bytes ?? 0) > 1024 * 1024) controller.abort();
        },
      }),
    );
    expect(err.code).toBe('install_cancelled');
    expect(err.message).toBe('Cancelled; nothing was installed.');
    expectNothingLeft(config);
  });

  it('a source on another host needs git; without it, the message says so and how GitHub works without', async () => {
    const root = tempDir('nogit2');
    const env = {
      PATH: emptyPath(),
      HOME: root,
      FLEDGE_CONFIG_DIR: join(root, 'cfg'),
      FLEDGE_GITHUB_API_URL: gh.url,
    };
    const r = await runCliAsync(
      ['plugins', 'install', 'https://gitlab.example.com/someone/fledge-x', '--yes'],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Installing from https://gitlab.example.com/someone/fledge-x needs git, which is not installed on this computer. GitHub repositories (owner/repo or https://github.com/owner/repo) install without it',
    );
  });
});
