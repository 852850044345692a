import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PluginStore } from '../../electron/engine/host/store.js';
import type { ConsentPrompt, ConsentRequest } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { type Capabilities, NO_CAPABILITIES } from '../../shared/capabilities.js';
import { git } from '../host/helpers.js';
import { startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir, writeTree } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

const HELLO = `(module
  (import "fledge" "send" (func $send (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\\"type\\":\\"output\\",\\"text\\":\\"hello\\"}")
  (func (export "_start") (call $send (i32.const 16) (i32.const 32))))`;
const USES_EXEC = `(module
  (import "fledge" "exec" (func $exec (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))`;

let hello: Uint8Array;
let usesExec: Uint8Array;
beforeAll(async () => {
  hello = await wat2wasm(HELLO);
  usesExec = await wat2wasm(USES_EXEC);
});

function manifest(name: string, version: string, caps: string, binary = 'hello.wasm'): string {
  return `[plugin]
name = "${name}"
version = "${version}"
description = "test plugin"
author = "tests"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "${name}-cmd"
binary = "${binary}"

[capabilities]
${caps}
`;
}

/** A consent prompt that records the request and grants `grant` (or declines with null). */
function answer(grant: Partial<Capabilities> | null, allowBuild = false) {
  const seen: ConsentRequest[] = [];
  const prompt: ConsentPrompt = async (req) => {
    seen.push(req);
    return grant === null ? null : { granted: { ...NO_CAPABILITIES, ...grant }, allowBuild };
  };
  return { prompt, seen };
}

/** A bare git repository holding `files` in one commit (tagged `tag` if given). */
function bareRepo(
  root: string,
  files: Record<string, string | Uint8Array>,
  tag?: string,
  at?: string,
): string {
  const work = writeTree(join(root, `work-${Math.random().toString(36).slice(2)}`), files);
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'release');
  if (tag) git(work, 'tag', tag);
  const bare = at ?? `${work}.git`;
  git(root, 'clone', '-q', '--bare', work, bare);
  return bare;
}

function setup() {
  const root = tempDir('service');
  const config = join(root, 'config');
  const service = new PluginService(config, root);
  return { root, config, service };
}

describe('install from a local folder', () => {
  it('validates, prepares, records the grants in plugins.toml in the CLI shape, and pins the wasm hash', async () => {
    const { root, config, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-hello', '1.0.0', 'store = true\nfilesystem = "project"\nexec = true'),
      'hello.wasm': hello,
    });
    const { prompt, seen } = answer({ store: true, filesystem: 'project' });
    const out = await service.install(src, prompt);
    expect(out).toMatchObject({ name: 'fledge-hello', version: '1.0.0', tier: 'local', replaced: false });
    expect(seen[0]?.requests.map((r) => [r.capability, r.risk, r.allowed])).toEqual([
      ['exec', 'high', true],
      ['filesystem', 'medium', true],
      ['store', 'low', true],
    ]);
    const text = readFileSync(join(config, 'plugins.toml'), 'utf8');
    const reg = parseRegistry(text);
    expect(reg.plugins[0]).toMatchObject({
      name: 'fledge-hello',
      source: src,
      version: '1.0.0',
      commands: ['fledge-hello-cmd'],
      runtime: 'wasm',
      capabilities: { exec: false, store: true, metadata: false, filesystem: 'project', network: false },
    });
    // As the fledge CLI 1.8 writes it: the local date.
    expect(reg.plugins[0]?.installed).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(text).toMatch(
      /\[\[plugins\]\]\nname = "fledge-hello"\nsource = ".*"\nversion = "1.0.0"\ninstalled = ".*"\ncommands = \["fledge-hello-cmd"\]\n/,
    );
    expect(existsSync(join(config, 'plugins', 'fledge-hello', 'hello.wasm'))).toBe(true);
    const consent = JSON.parse(readFileSync(join(config, 'fledge-desktop', 'consent.json'), 'utf8'));
    expect(consent['fledge-hello'].wasm['hello.wasm']).toMatch(/^[0-9a-f]{64}$/);
    const runnable = await service.resolveRunnable('fledge-hello-cmd');
    expect(runnable.granted).toMatchObject({ store: true, filesystem: 'project', exec: false });
  });

  it('a declined install leaves nothing behind', async () => {
    const { root, config, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-no', '1.0.0', ''),
      'hello.wasm': hello,
    });
    await expect(service.install(src, answer(null).prompt)).rejects.toThrow(
      /declined; nothing was installed/,
    );
    expect(existsSync(join(config, 'plugins', 'fledge-no'))).toBe(false);
    // Staging is the app's own folder, never left in the CLI's plugins/.
    expect(readdirSync(join(config, 'fledge-desktop', 'staging'))).toEqual([]);
    expect(existsSync(join(config, 'plugins', '.staging'))).toBe(false);
    expect(existsSync(join(config, 'plugins.toml'))).toBe(false);
  });

  it('a plugin that imports a capability its manifest lacks fails at install, naming it', async () => {
    const { root, config, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-sneaky', '1.0.0', 'store = true'),
      'hello.wasm': usesExec,
    });
    await expect(service.install(src, answer({}).prompt)).rejects.toThrow(
      'imports functions that require capabilities not granted: exec',
    );
    expect(existsSync(join(config, 'plugins', 'fledge-sneaky'))).toBe(false);
  });

  it('an invalid plugin is refused with every error listed', async () => {
    const { root, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': '[plugin]\nname = "x"\nversion = "1"\n[capabilities]\nexec = "yes"\n',
    });
    await expect(service.install(src, answer({}).prompt)).rejects.toThrow(
      /not a valid fledge plugin:\n {2}- plugin.version: .*\n {2}- capabilities.exec: /,
    );
  });
});

describe('consent', () => {
  it('an update asking for more is held until approved', async () => {
    const { root, config, service } = setup();
    const src = join(root, 'src');
    writeTree(src, { 'plugin.toml': manifest('fledge-grow', '1.0.0', 'store = true'), 'hello.wasm': hello });
    await service.install(src, answer({ store: true }).prompt);
    writeFileSync(
      join(src, 'plugin.toml'),
      manifest('fledge-grow', '1.1.0', 'store = true\nexec = true\nfilesystem = "plugin"'),
    );
    // The person answers the update keeping the old grants only.
    const keep = answer({ store: true });
    const out = await service.update('fledge-grow', keep.prompt);
    expect(keep.seen[0]?.update?.beyond).toEqual(['exec', 'filesystem']);
    expect(out.version).toBe('1.1.0');
    expect(out.withheld).toEqual(['exec', 'filesystem']);
    const reg = parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8'));
    expect(reg.plugins[0]?.capabilities).toMatchObject({ store: true, exec: false, filesystem: 'none' });
    expect(reg.plugins[0]?.version).toBe('1.1.0');
    // Approving later grants them.
    await service.grant('fledge-grow', ['exec', 'filesystem']);
    expect((await service.resolveRunnable('fledge-grow')).granted).toMatchObject({
      exec: true,
      filesystem: 'plugin',
    });
  });

  it('a wasm changed on disk after install is refused until approved again', async () => {
    const { root, config, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-swap', '1.0.0', ''),
      'hello.wasm': hello,
    });
    await service.install(src, answer({}).prompt);
    await expect(service.resolveRunnable('fledge-swap')).resolves.toMatchObject({ name: 'fledge-swap' });
    writeFileSync(join(config, 'plugins', 'fledge-swap', 'hello.wasm'), usesExec);
    await expect(service.resolveRunnable('fledge-swap')).rejects.toThrow(
      /hello.wasm changed on disk after you approved it/,
    );
    const audit = await service.audit();
    expect(audit[0]?.consentProblems).toEqual(['hello.wasm changed on disk after you approved it']);
    await service.approve('fledge-swap');
    await expect(service.resolveRunnable('fledge-swap')).resolves.toMatchObject({ name: 'fledge-swap' });
  });

  it('an approval or grant meant for the files as approved refuses files changed since, and changes nothing', async () => {
    const { root, config, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-race', '1.0.0', 'store = true\nexec = true'),
      'hello.wasm': hello,
    });
    await service.install(src, answer({}).prompt);
    // Unchanged: both go through.
    await service.approve('fledge-race', { onlyIfUnchanged: true });
    await service.grant('fledge-race', ['store'], { onlyIfUnchanged: true });
    const consentFile = join(config, 'fledge-desktop', 'consent.json');
    const consentBefore = existsSync(consentFile) ? readFileSync(consentFile, 'utf8') : null;
    const tomlBefore = readFileSync(join(config, 'plugins.toml'), 'utf8');
    // Changed between the guard's look and the engine's: refused, nothing approved or granted.
    writeFileSync(join(config, 'plugins', 'fledge-race', 'hello.wasm'), usesExec);
    await expect(service.approve('fledge-race', { onlyIfUnchanged: true })).rejects.toMatchObject({
      code: 'approval_changed',
    });
    await expect(service.grant('fledge-race', ['exec'], { onlyIfUnchanged: true })).rejects.toThrow(
      /changed a moment ago, so nothing was approved or granted/,
    );
    if (consentBefore !== null) expect(readFileSync(consentFile, 'utf8')).toBe(consentBefore);
    expect(readFileSync(join(config, 'plugins.toml'), 'utf8')).toBe(tomlBefore);
    await expect(service.resolveRunnable('fledge-race')).rejects.toThrow(/changed on disk/);
    // Asked (no flag): the person approved the files as they are now.
    await service.approve('fledge-race');
    await expect(service.resolveRunnable('fledge-race')).resolves.toMatchObject({ name: 'fledge-race' });
  });

  it('an unverified source cannot get exec or network, even when the answer grants it', async () => {
    const { root, config } = setup();
    // "someone/fledge-wild" means github.com/someone/fledge-wild (an unverified owner), fetched through
    // GitHub's API without git: a stand-in on 127.0.0.1 here.
    const gh = await startGitHubStandIn({
      repos: [
        {
          owner: 'someone',
          name: 'fledge-wild',
          files: {
            'plugin.toml': manifest('fledge-wild', '1.0.0', 'exec = true\nnetwork = true\nstore = true'),
            'hello.wasm': hello,
          },
        },
      ],
    });
    const service = new PluginService(config, root, { baseUrl: gh.url });
    try {
      const { prompt, seen } = answer({ exec: true, network: true, store: true });
      const out = await service.install('someone/fledge-wild', prompt);
      expect(out.tier).toBe('unverified');
      expect(seen[0]?.requests.filter((r) => !r.allowed).map((r) => r.capability)).toEqual([
        'exec',
        'network',
      ]);
      expect(out.granted).toMatchObject({ exec: false, network: false, store: true });
      const reg = parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8'));
      expect(reg.plugins[0]?.source).toBe('someone/fledge-wild');
      expect(reg.plugins[0]?.capabilities).toMatchObject({ exec: false, network: false, store: true });
      await expect(service.grant('fledge-wild', ['exec'])).rejects.toThrow(
        /unverified source and cannot be granted exec/,
      );
      await expect(service.grant('fledge-wild', ['network'])).rejects.toThrow(/cannot be granted network/);
      expect((await service.audit())[0]?.tier).toBe('unverified');
    } finally {
      await gh.close();
    }
  });

  it('grants never exceed what the plugin asks for', async () => {
    const { root, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-small', '1.0.0', 'store = true'),
      'hello.wasm': hello,
    });
    const out = await service.install(src, answer({ exec: true, store: true, filesystem: 'plugin' }).prompt);
    expect(out.granted).toMatchObject({ exec: false, store: true, filesystem: 'none' });
    await expect(service.grant('fledge-small', ['exec'])).rejects.toThrow(/does not ask for exec/);
    expect(await service.revoke('fledge-small', ['store'])).toMatchObject({ store: false });
  });
});

describe('install from a git repository and removal', () => {
  it('installs from a local bare repository at a ref, records pinned_ref, and removes cleanly', async () => {
    const { root, config, service } = setup();
    const bare = bareRepo(
      root,
      { 'plugin.toml': manifest('fledge-git', '2.0.0', ''), 'hello.wasm': hello },
      'v2.0.0',
    );
    const out = await service.install(`${bare}@v2.0.0`, answer({}).prompt);
    expect(out).toMatchObject({ name: 'fledge-git', version: '2.0.0', tier: 'local' });
    const reg = parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8'));
    expect(reg.plugins[0]?.pinned_ref).toBe('v2.0.0');
    await service.remove('fledge-git');
    expect(existsSync(join(config, 'plugins', 'fledge-git'))).toBe(false);
    expect(parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8')).plugins).toEqual([]);
  });
});

describe('audit', () => {
  it("shows each plugin's store keys and data folder size, for the screens", async () => {
    const { root, config, service } = setup();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('fledge-audit', '1.0.0', 'store = true'),
      'hello.wasm': hello,
    });
    await service.install(src, answer({ store: true }).prompt);
    const dir = join(config, 'plugins', 'fledge-audit');
    await new PluginStore(dir).set('last-run', 'yesterday');
    writeTree(join(dir, 'data'), { 'cache/a.txt': 'abc', 'b.txt': 'hello' });
    const [row] = await service.audit();
    expect(row?.store).toMatchObject({ keys: 1, entries: [{ key: 'last-run' }] });
    expect(row?.data).toEqual({ files: 2, bytes: 8, partial: false });
  });
});
