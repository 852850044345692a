// The CLI runs native plugins with the same flags and the same --json events as WASM ones; an
// installed native plugin runs only while its program is the one approved, and the person can allow
// it full access (recorded per plugin).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { makeProject, nativePlugin } from './helpers.js';

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

const contained = (await containmentSupport()).available;

describe('run (CLI) with a native plugin', () => {
  it('--json: the same events as a WASM run, answers from --answers, args in init, the exit line last', () => {
    const plugin = nativePlugin('protocol.sh', { declared: { store: true } });
    const answers = join(tempDir('native-cli'), 'answers.json');
    writeFileSync(answers, JSON.stringify({ name: 'Lin', sure: true, colour: 'green', langs: [] }));
    const r = runCli([
      'run',
      plugin.dir,
      '--json',
      '--grant',
      'store',
      '--project',
      makeProject(),
      '--answers',
      answers,
      '--',
      'exit',
      '5',
    ]);
    const events = lines(r.stdout);
    expect(events[0]).toMatchObject({ type: 'started', plugin: plugin.name });
    expect(events).toContainEqual(expect.objectContaining({ type: 'output', text: 'argc=0' }));
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'output',
        text: 'reply: {"type":"response","id":"name","value":"Lin"}',
      }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'stderr', line: 'a line on stderr' }));
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        source: 'host',
        message: `Plugin '${plugin.name}' runs native, ${contained ? 'contained (read-only project, no network)' : 'full access'}.`,
      }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'exit', code: 5, reason: 'exit' });
    expect(r.code).toBe(5);
  });

  it('a plain command: args on argv, output on stdout, its exit code', () => {
    const plugin = nativePlugin('plain.sh', { protocol: false });
    const r = runCli(['run', plugin.dir, '--', 'x', '9']);
    expect(r.stdout).toBe(`argc=2\narg=x\narg=9\nplugin_dir=${plugin.dir}\n`);
    expect(r.stderr).toMatch(/plain stderr line/);
    expect(r.code).toBe(9);
  });

  it('an installed native plugin: pinned at install, refused once its program changed, run again after approve', () => {
    const config = tempDir('native-cli-config');
    const env = { FLEDGE_CONFIG_DIR: config };
    const plugin = nativePlugin('plain.sh', { protocol: false });
    const install = runCli(['plugins', 'install', plugin.dir, '--yes'], env);
    expect(install.stderr).toMatch(/a program that runs on your computer as you/);
    expect(install.stderr).toMatch(new RegExp(`program ${plugin.binary}: SHA-256 [0-9a-f]{64}`));
    expect(install.code).toBe(0);
    expect(runCli(['run', plugin.name, '--', '0'], env).code).toBe(0);

    writeFileSync(join(config, 'plugins', plugin.name, plugin.binary), '#!/bin/sh\necho changed\n');
    const refused = runCli(['run', plugin.name, '--', '0'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/changed on disk after you approved it/);

    expect(runCli(['plugins', 'approve', plugin.name], env).code).toBe(0);
    expect(runCli(['run', plugin.name, '--', '0'], env).stdout).toMatch(/changed/);
  });

  it('plugins grant NAME full-access: the plugin runs uncontained from then on; revoke contains it again', () => {
    const config = tempDir('native-cli-config');
    const env = { FLEDGE_CONFIG_DIR: config };
    const plugin = nativePlugin('plain.sh', { protocol: false });
    expect(runCli(['plugins', 'install', plugin.dir, '--yes'], env).code).toBe(0);
    const accessOf = () =>
      lines(runCli(['run', plugin.name, '--json', '--', '0'], env).stdout).find(
        (e) => e.type === 'log' && e.source === 'host' && /runs native/.test(e.message),
      )?.message;
    expect(accessOf()).toMatch(contained ? /contained/ : /full access/);
    const audit = () => runCli(['plugins', 'audit'], env).stdout;
    expect(audit()).toMatch(
      contained
        ? /runtime: native \(native, contained \(read-only project, no network\)\)/
        : /runtime: native \(native, full access: /,
    );
    expect(runCli(['plugins', 'grant', plugin.name, 'full-access'], env).code).toBe(0);
    expect(accessOf()).toMatch(/runs native, full access/);
    expect(audit()).toMatch(/runtime: native \(native, full access: you allowed it to run uncontained\)/);
    expect(runCli(['plugins', 'revoke', plugin.name, 'full-access'], env).code).toBe(0);
    expect(accessOf()).toMatch(contained ? /contained/ : /full access/);
  });
});
