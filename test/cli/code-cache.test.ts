// dist/cli.js starts the CLI bundle from V8's code cache (electron/cli/cached-entry.ts): used when it
// belongs to the bundle, ignored when the bundle changed or the cache is damaged, and never needed.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const dist = join(repoRoot, 'dist');

/** A copy of the CLI's two files in a folder of its own, with its own cache (made as the build makes it). */
function copyCli(dir: string): void {
  for (const f of ['cli.js', 'cli-main.cjs']) copyFileSync(join(dist, f), join(dir, f));
  const r = spawnSync(process.execPath, [join(dir, 'cli.js'), '--help'], {
    env: { ...process.env, FLEDGE_CLI_CODE_CACHE: 'write' },
    stdio: 'ignore',
  });
  expect(r.status).toBe(0);
}

function help(dir: string) {
  const r = spawnSync(process.execPath, [join(dir, 'cli.js'), '--help'], {
    env: { ...process.env, FLEDGE_CLI_CODE_CACHE: 'check' },
    encoding: 'utf8',
  });
  return { code: r.status, cache: /code cache: (\w+)/.exec(r.stderr)?.[1], stdout: r.stdout };
}

describe('the CLI code cache', () => {
  const root = tempDir('cli-code-cache');

  it('is made by the build and used', () => {
    const r = help(dist);
    expect(r.code).toBe(0);
    expect(r.cache).toBe('used');
    expect(r.stdout).toMatch(/^fledge-desktop: run fledge plugins safely/);
  });

  it('is not used once the bundle changed, even at the same length', () => {
    const dir = join(root, 'changed');
    spawnSync('mkdir', ['-p', dir]);
    copyCli(dir);
    expect(help(dir).cache).toBe('used');
    const bundle = readFileSync(join(dir, 'cli-main.cjs'), 'utf8');
    // Same length, other text, a later mtime: V8 alone (it checks the length) would take the cache.
    writeFileSync(
      join(dir, 'cli-main.cjs'),
      bundle.replace('run fledge plugins safely', 'run fledge plugins SAFELY'),
    );
    const r = help(dir);
    expect(r.cache).toBe('none');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run fledge plugins SAFELY/);
    appendFileSync(join(dir, 'cli-main.cjs'), '\n// more\n');
    expect(help(dir)).toMatchObject({ cache: 'none', code: 0 });
  });

  it('a damaged cache is refused by V8 and the CLI starts without it', () => {
    const dir = join(root, 'damaged');
    spawnSync('mkdir', ['-p', dir]);
    copyCli(dir);
    const raw = readFileSync(join(dir, 'cli-main.cjs.cache'));
    const headerEnd = raw.indexOf(10) + 1;
    const damaged = Buffer.from(raw);
    for (let i = headerEnd; i < damaged.length; i += 97) damaged[i] = damaged[i]! ^ 0xff;
    writeFileSync(join(dir, 'cli-main.cjs.cache'), damaged);
    const r = help(dir);
    expect(r.cache).toBe('refused');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fledge-desktop: run fledge plugins safely/);
  });
});
