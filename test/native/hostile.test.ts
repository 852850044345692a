// Native plugins that misbehave: an endless line, a storm of store writes, messages only the host
// sends, a child that escapes the process group holding stdout open. Each gets a contained failure
// and the run (and the engine) goes on.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { MAX_VALUE_DEPTH } from '../../electron/sandbox/bounded.js';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { nativePlugin, runNative } from './helpers.js';

const contained = (await containmentSupport()).available;

function script(body: string): string {
  const path = join(tempDir('native-hostile'), 'plugin.sh');
  writeFileSync(path, `#!/usr/bin/env bash\nIFS= read -r init\n${body}\n`);
  return path;
}

const hostWarnings = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'log' && e.source === 'host' && e.level === 'warn' ? [e.message] : []));

describe('hostile native plugins', () => {
  it('values nested 10,000 deep are bounded as for WASM: run --json prints its exit line, the cut is logged', () => {
    // The sibling of the WASM attack in test/hardening/deep-values.test.ts, over stdio.
    const plugin = nativePlugin(
      script(
        [
          `deep="$(printf '%.0s[' {1..10000})1$(printf '%.0s]' {1..10000})"`,
          `echo "{\\"type\\":\\"prompt\\",\\"id\\":\\"q\\",\\"message\\":\\"name?\\",\\"default\\":$deep}"`,
          'IFS= read -r answer',
          `echo "{\\"type\\":\\"log\\",\\"level\\":\\"info\\",\\"message\\":$deep}"`,
          `echo "{\\"type\\":\\"progress\\",\\"message\\":$deep,\\"current\\":1}"`,
          `echo '{"type":"output","text":"still here"}'`,
        ].join('\n'),
      ),
    );
    const answers = join(plugin.dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ q: 'x' }));
    const r = runCli(['run', plugin.dir, '--json', '--answers', answers]);
    expect(r.stderr).not.toMatch(/RangeError/);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'exit', reason: 'exit', code: 0 });
    expect(lines.some((e) => e.type === 'output' && e.text === 'still here')).toBe(true);
    let depth = 0;
    for (let v = lines.find((e) => e.type === 'request' && e.id === 'q')?.default; Array.isArray(v); v = v[0])
      depth++;
    expect(depth).toBeLessThanOrEqual(MAX_VALUE_DEPTH);
    expect(
      lines.some(
        (e) => e.type === 'log' && e.source === 'host' && /nested deeper than \d+ levels/.test(e.message),
      ),
    ).toBe(true);
  }, 60_000);

  it('a 20 MiB line is skipped with a warning; the lines after it still arrive', async () => {
    const r = await runNative(
      nativePlugin(
        script(
          `head -c $((20*1024*1024)) /dev/zero | tr '\\0' x; echo; echo '{"type":"output","text":"after"}'`,
        ),
      ),
    );
    expect(hostWarnings(r.events)).toEqual([
      expect.stringMatching(/a line of 20971520 bytes, longer than 16777216/),
    ]);
    expect(r.outputs).toEqual(['after']);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  });

  it('1,000 store writes without waiting all land, in order (held back, not piled up)', async () => {
    const plugin = nativePlugin(
      script(
        `for i in $(seq 1 1000); do printf '{"type":"store","key":"n","value":"%s"}\\n' "$i"; done\nprintf '{"type":"load","id":"l","key":"n"}\\n'\nIFS= read -r reply\nprintf '{"type":"output","text":"%s"}\\n' "\${reply//\\"/\\'}"`,
      ),
      { declared: { store: true } },
    );
    const r = await runNative(plugin, { grants: { store: true } });
    expect(r.outputs).toEqual([`{'type':'response','id':'l','value':'1000'}`]);
    expect(JSON.parse(readFileSync(join(plugin.dir, 'state.json'), 'utf8'))).toEqual({ n: '1000' });
  });

  it('messages only the host sends, requests without an id, and non-string store values are skipped with warnings', async () => {
    const r = await runNative(
      nativePlugin(
        script(
          [
            `echo '{"type":"response","id":"x","value":1}'`,
            `echo '{"type":"init"}'`,
            `echo '{"type":"prompt","message":"no id"}'`,
            `echo '{"type":"store","key":"k","value":42}'`,
            `echo '[1,2,3]'`,
            `echo '{"type":"output","data":"data is accepted too"}'`,
          ].join('\n'),
        ),
        { declared: { store: true } },
      ),
      { grants: { store: true } },
    );
    expect(hostWarnings(r.events)).toEqual([
      expect.stringMatching(/"response" message, which only the host sends/),
      expect.stringMatching(/"init" message, which only the host sends/),
      expect.stringMatching(/prompt request without a string id/),
      expect.stringMatching(/store message for "k" whose value is not a string/),
      expect.stringMatching(/without a "type"/),
    ]);
    expect(r.outputs).toEqual(['data is accepted too']);
    expect(r.events.some((e) => e.type === 'request')).toBe(false);
  });

  it.each(contained ? (['contained', 'full'] as const) : (['full'] as const))(
    'a plugin that dies of a signal ends as a trap naming the signal (%s)',
    async (access) => {
      const r = await runNative(nativePlugin(script('kill -SEGV $$')), { access });
      expect(r.end).toMatchObject({ reason: 'trap', code: 1 });
      expect(r.end.message).toMatch(/trapped: it was stopped by signal SIGSEGV/);
    },
  );

  it.each(contained ? (['contained', 'full'] as const) : (['full'] as const))(
    'a child that leaves the process group holding stdout open does not keep the run going (%s)',
    async (access) => {
      const tag = `fledge-escaped-${randomBytes(5).toString('hex')}`;
      const r = await runNative(
        nativePlugin(
          script(`setsid bash -c "exec -a ${tag} sleep 60" &\necho '{"type":"output","text":"bye"}'`),
        ),
        { access },
      );
      expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
      expect(r.outputs).toEqual(['bye']);
      expect(r.end.durationMs).toBeLessThan(20_000);
      const left = spawnSync('pgrep', ['-f', tag], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      // Contained, its PID namespace ends with it; with full access a setsid child is beyond the group
      // (a limit of process groups: the run still ends, 2 s after the plugin did).
      if (access === 'contained') expect(left).toEqual([]);
      for (const pid of left) process.kill(Number(pid), 'SIGKILL');
    },
  );
});
