// What a native command runs on each platform (as the CLI 1.8: .exe, .cmd/.bat through cmd.exe,
// `#!` scripts through sh on Windows), and what happens where it cannot be contained.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { nativeProgram } from '../../electron/engine/native/program.js';
import { tempDir } from '../support/temp.js';
import { nativePlugin, runNative } from './helpers.js';

describe('the program a native command runs', () => {
  it('on Unix: the binary itself; a plain command gets its args on argv, a fledge-v1 one none', () => {
    expect(nativeProgram('/p', 'bin/x', [], 'linux')).toEqual({
      file: '/p/bin/x',
      args: [],
      binaryPath: '/p/bin/x',
    });
    expect(nativeProgram('/p', 'bin/x', ['a b'], 'darwin').args).toEqual(['a b']);
  });

  it('on Windows: NAME.exe when NAME is missing, .cmd/.bat through cmd.exe, #! scripts through sh', () => {
    const dir = tempDir('native-win');
    writeFileSync(join(dir, 'tool.exe'), 'MZ');
    writeFileSync(join(dir, 'run.cmd'), '@echo off');
    writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi\n');
    expect(nativeProgram(dir, 'tool', [], 'win32').file).toBe(join(dir, 'tool.exe'));
    const cmd = nativeProgram(dir, 'run.cmd', ['x'], 'win32');
    expect(cmd.args).toEqual(['/d', '/s', '/c', join(dir, 'run.cmd'), 'x']);
    expect(nativeProgram(dir, 'script', ['x'], 'win32')).toMatchObject({
      file: 'sh',
      args: [join(dir, 'script'), 'x'],
    });
  });
});

describe('where native plugins cannot be contained', () => {
  it('macOS and Windows say so in plain words', async () => {
    expect((await containmentSupport('darwin')).reason).toMatch(/cannot contain native plugins on macOS yet/);
    expect((await containmentSupport('win32')).reason).toMatch(/on Windows yet: they run with full access/);
  });

  const missing = {
    available: false,
    reason:
      'bubblewrap (bwrap) is not installed, so native plugins run with full access. Install it to contain them: "sudo apt install bubblewrap"',
  };

  it('a run goes on with full access and a warning that says what to install', async () => {
    const r = await runNative(nativePlugin('plain.sh', { protocol: false }), {
      args: ['0'],
      support: missing,
    });
    expect(r.run.describe().native).toEqual({ access: 'full', label: 'native, full access' });
    expect(r.events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        level: 'warn',
        message: expect.stringMatching(/sudo apt install bubblewrap/),
      }),
    );
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  });

  it('a run that must be contained does not start, and says why', async () => {
    const r = await runNative(nativePlugin('plain.sh', { protocol: false }), {
      args: ['0'],
      support: missing,
      access: 'contained',
    });
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/must run contained, and bubblewrap \(bwrap\) is not installed/);
  });
});
