// fledge-v1 with real native plugins (a bash script and a C program compiled here), and a plain
// command: every message type both ways, through the engine's Run API, as the CLI 1.8 runs them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { compileCPlugin, makeProject, nativePlugin, replies, runNative } from './helpers.js';

const ANSWERS: Record<string, unknown> = { name: 'Grace', sure: true, colour: 'red', langs: ['c', 'go'] };
const ALL = { exec: true, store: true, metadata: true };

function answerAll(e: RunEvent, run: { answer(id: string, v: unknown): boolean }) {
  if (e.type === 'request') setTimeout(() => expect(run.answer(e.id, ANSWERS[e.id])).toBe(true), 5);
}

describe('a fledge-v1 plugin in bash', () => {
  it('gets init on stdin (args there, none on argv), FLEDGE_PLUGIN_DIR and the project as cwd', async () => {
    const project = makeProject();
    const plugin = nativePlugin('protocol.sh', { declared: ALL });
    const r = await runNative(plugin, {
      project,
      grants: ALL,
      args: ['exit', '3', 'two words'],
      onEvent: answerAll,
    });
    expect(r.outputs).toContain('argc=0');
    expect(r.outputs).toContain(`plugin_dir=${plugin.dir}`);
    expect(r.outputs).toContain(`cwd=${project}`);
    const init = JSON.parse(r.outputs.find((o) => o.startsWith('init: '))!.slice(6));
    expect(init).toMatchObject({
      type: 'init',
      protocol: 'fledge-v1',
      args: ['exit', '3', 'two words'],
      project: { root: project },
      plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir },
      capabilities: { exec: true, store: true, metadata: true, filesystem: 'none', network: false },
    });
    expect(r.end).toMatchObject({ reason: 'exit', code: 3 });
    expect(r.end.message).toBe(`Plugin '${plugin.name}' exited with code 3.`);
  });

  it('sends every message type, and gets the answers, host results and run events back', async () => {
    const project = makeProject();
    const plugin = nativePlugin('protocol.sh', { declared: ALL });
    const r = await runNative(plugin, { project, grants: ALL, onEvent: answerAll });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    const logs = r.events.filter((e) => e.type === 'log');
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'hello from bash', source: 'plugin' }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'an error line', source: 'plugin' }),
    );
    expect(r.events.filter((e) => e.type === 'progress')).toEqual([
      expect.objectContaining({ message: 'working', current: 1, total: 3 }),
      expect.objectContaining({ done: true }),
    ]);
    expect(r.events.filter((e) => e.type === 'stderr')).toEqual([
      expect.objectContaining({ line: 'a line on stderr' }),
    ]);
    // The malformed line and the unknown type are logged by the host and skipped; the run goes on.
    const warnings = logs.filter((e) => e.type === 'log' && e.source === 'host' && e.level === 'warn');
    expect(warnings.map((w) => (w as { message: string }).message)).toEqual([
      expect.stringMatching(/not JSON \(skipped\): "this is not json"/),
      expect.stringMatching(/unknown type "teleport"/),
    ]);
    const requests = r.events.filter((e) => e.type === 'request');
    expect(requests.map((q) => [q.kind, q.id])).toEqual([
      ['prompt', 'name'],
      ['confirm', 'sure'],
      ['select', 'colour'],
      ['multi_select', 'langs'],
    ]);
    expect(requests[2]).toMatchObject({ options: ['red', 'green'], default: 1 });
    expect(requests[3]).toMatchObject({ defaults: [0] });
    const got = replies(r.outputs);
    expect(got.slice(0, 4)).toEqual([
      { type: 'response', id: 'name', value: 'Grace' },
      { type: 'response', id: 'sure', value: true },
      { type: 'response', id: 'colour', value: 'red' },
      { type: 'response', id: 'langs', value: ['c', 'go'] },
    ]);
    expect(got[4]).toEqual({ type: 'response', id: 'l1', value: 'hi there' });
    expect(got[5]).toMatchObject({ id: 'e1', value: { code: 0, stdout: 'from-exec\n' } });
    expect(got[6]).toMatchObject({ id: 'm1', value: { env: expect.any(Object) } });
    expect(r.events.filter((e) => e.type === 'exec')).toEqual([
      expect.objectContaining({ command: 'echo from-exec', code: 0 }),
    ]);
    // The store write went through the plugin's state.json, as for WASM plugins.
    expect(JSON.parse(readFileSync(join(plugin.dir, 'state.json'), 'utf8'))).toEqual({
      greeting: 'hi there',
    });
  });

  it('capabilities not granted are answered as the protocol denies them (exec 126, load null, metadata {})', async () => {
    const plugin = nativePlugin('protocol.sh', { declared: ALL });
    const r = await runNative(plugin, { project: makeProject(), onEvent: answerAll });
    const got = replies(r.outputs);
    expect(got[4]).toEqual({ type: 'response', id: 'l1', value: null });
    expect(got[5]).toMatchObject({ id: 'e1', value: { code: 126, stdout: '' } });
    expect(got[6]).toEqual({ type: 'response', id: 'm1', value: {} });
    expect(r.events.filter((e) => e.type === 'exec')).toEqual([expect.objectContaining({ code: 126 })]);
    expect(existsSync(join(plugin.dir, 'state.json'))).toBe(false);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  });
});

describe('a fledge-v1 plugin in C', () => {
  const program = compileCPlugin();

  it('gets its args in init only, answers with a numeric id, and ends with its exit code', async () => {
    const plugin = nativePlugin(program);
    const r = await runNative(plugin, {
      args: ['hello', '4'],
      onEvent: (e, run) => {
        if (e.type === 'request') run.answer(e.id, true);
      },
    });
    expect(r.outputs[0]).toBe(`c argc=1 plugin_dir=${plugin.dir}`);
    expect(r.events.find((e) => e.type === 'request')).toMatchObject({
      id: '7',
      kind: 'confirm',
      message: 'Go on?',
    });
    expect(JSON.parse(r.outputs[1]!)).toEqual({ type: 'response', id: 7, value: true });
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'stderr', line: 'c stderr line' }));
    expect(r.end).toMatchObject({ reason: 'exit', code: 4 });
  });
});

describe('a plain native command (no protocol)', () => {
  it('gets its arguments on argv; stdout is output, stderr is stderr lines, the exit code is the run code', async () => {
    const plugin = nativePlugin('plain.sh', { protocol: false });
    const r = await runNative(plugin, { args: ['one', 'two words', '7'] });
    expect(r.output).toBe(`argc=3\narg=one\narg=two words\narg=7\nplugin_dir=${plugin.dir}\n`);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'stderr', line: 'plain stderr line' }));
    expect(r.end).toMatchObject({ reason: 'exit', code: 7 });
  });

  it('exit code 0 is a finished run', async () => {
    const r = await runNative(nativePlugin('plain.sh', { protocol: false }), { args: ['0'] });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0, message: expect.stringMatching(/finished\.$/) });
  });
});

describe('a native run that cannot start', () => {
  it('names a project folder that is gone', async () => {
    const r = await runNative(nativePlugin('plain.sh', { protocol: false }), {
      project: '/nonexistent/project',
    });
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/\/nonexistent\/project \(the project\) is not a folder that exists/);
  });

  it('refuses a program that is not the one approved (its SHA-256 changed)', async () => {
    const r = await runNative(nativePlugin('plain.sh', { protocol: false }), {
      binarySha256: '0'.repeat(64),
    });
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/is not the one you approved \(it changed on disk\)/);
  });

  it('names the missing program', async () => {
    const plugin = nativePlugin('plain.sh', { protocol: false });
    const r = await runNative({ ...plugin, binary: 'bin/not-there' });
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/bin\/not-there does not exist/);
  });
});
