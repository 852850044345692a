// Hooks run as the fledge CLI 1.8 runs them: the hook's words without a shell, or the file it names
// in the plugin folder; cwd = the plugin folder, FLEDGE_PLUGIN_DIR and FLEDGE_REPO_ROOT set.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hookInvocation } from '../../electron/engine/native/hook-command.js';
import { runBuildHook } from '../../electron/engine/plugins/build-hook.js';
import { tempDir } from '../support/temp.js';

describe('hooks', () => {
  it('are split into words and run without a shell: && and $VAR are plain words', async () => {
    const dir = tempDir('native-hook');
    const r = await runBuildHook('echo built && touch pwned $HOME', dir);
    expect(r.log).toBe('built && touch pwned $HOME\n');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('naming a file in the plugin folder run that file, in the plugin folder, with the fledge variables', async () => {
    const dir = tempDir('native-hook');
    writeFileSync(join(dir, 'build.sh'), '#!/bin/sh\necho "$FLEDGE_PLUGIN_DIR" > out.txt\npwd >> out.txt\n');
    chmodSync(join(dir, 'build.sh'), 0o755);
    await runBuildHook('build.sh', dir);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(`${dir}\n${dir}\n`);
  });

  it('never take a file outside the plugin folder for the file form', () => {
    const dir = tempDir('native-hook');
    expect(hookInvocation('../../bin/sh', dir)).toEqual({ file: '../../bin/sh', args: [] });
    expect(hookInvocation('  make   release ', dir)).toEqual({ file: 'make', args: ['release'] });
    expect(hookInvocation('   ', dir)).toBeNull();
  });

  it('a failing hook names its exact text and exit code', async () => {
    await expect(runBuildHook('false', tempDir('native-hook'))).rejects.toThrow(
      /"false" failed \(exit code 1\)/,
    );
  });
});
