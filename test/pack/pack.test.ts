// `pack` on a plugin built from source here (AssemblyScript, compiled by its build hook): the zip
// holds plugin.toml, the built wasm at the manifest's path, README and LICENSE (not the sources),
// its .sha256 agrees, and it installs in a fresh config dir (as a dropped file does) and runs.
// Refusals: a build that is not approved, a wasm that is not valid, an undeclared capability import.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { runCliAsync } from '../catalog/helpers.js';
import { tempDir, WASM_HEADER, writeTree } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

const ascJs = join(
  createRequire(import.meta.url).resolve('assemblyscript/package.json'),
  '..',
  'bin',
  'asc.js',
);

const SOURCE = `@external("fledge", "send")
declare function send(ptr: usize, len: i32): void;

const message = String.UTF8.encode('{"type":"output","text":"hello from AssemblyScript"}');
send(changetype<usize>(message), message.byteLength);
`;

function manifest(name: string, build: string | null, binary = 'build/plugin.wasm', caps = ''): string {
  return `[plugin]
name = "${name}"
version = "0.3.0"
description = "built from source for the pack test"
author = "tests"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "${name.replace(/^fledge-/, '')}"
binary = "${binary}"
${build ? `\n[hooks]\nbuild = "${build}"\n` : ''}
[capabilities]
${caps}
`;
}

function asPlugin(): string {
  const dir = join(tempDir('pack'), 'fledge-as-hello');
  const hook = `${process.execPath} ${ascJs} assembly/index.ts --outFile build/plugin.wasm --runtime stub --use abort= --exportStart _start -O --noAssert`;
  return writeTree(dir, {
    'plugin.toml': manifest('fledge-as-hello', hook),
    'assembly/index.ts': SOURCE,
    'README.md': '# fledge-as-hello\nSays hello.\n',
    LICENSE: 'MIT License\n',
    'notes/private.txt': 'not for the zip\n',
  });
}

function zipEntries(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: tempDir('home'),
  ...extra,
});

describe('pack', () => {
  it('builds an AssemblyScript plugin from source into a zip (the same bytes every time) that installs in a fresh config dir and runs', async () => {
    const dir = asPlugin();
    const out = join(tempDir('out'), 'fledge-as-hello.zip');
    const packed = await runCliAsync(['pack', dir, '-o', out, '--allow-build'], env());
    expect(packed.stderr).toContain('Build hook (a native shell command):');
    expect(packed.code).toBe(0);
    expect(packed.stdout).toMatch(/^Packed .*fledge-as-hello\.zip/);
    expect(existsSync(join(dir, 'build', 'plugin.wasm'))).toBe(true);

    expect(await zipEntries(out)).toEqual(['plugin.toml', 'build/plugin.wasm', 'README.md', 'LICENSE']);
    const digest = createHash('sha256').update(readFileSync(out)).digest('hex');
    expect(readFileSync(`${out}.sha256`, 'utf8')).toBe(`${digest}  fledge-as-hello.zip\n`);
    const wasmDigest = createHash('sha256')
      .update(readFileSync(join(dir, 'build', 'plugin.wasm')))
      .digest('hex');
    expect(packed.stdout).toContain(`build/plugin.wasm: `);
    expect(packed.stdout).toContain(`sha256 ${wasmDigest}`);
    // Packing again (a rebuild) gives the same bytes: fixed entry times, same order.
    const again = join(tempDir('out'), 'again.zip');
    expect((await runCliAsync(['pack', dir, '-o', again, '--allow-build'], env())).code).toBe(0);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);

    // A fresh config dir, no toolchain needed: install the zip (what dropping it on the app does) and run.
    const fresh = env({ FLEDGE_CONFIG_DIR: join(tempDir('fresh'), 'cfg'), PATH: '/nonexistent' });
    const installed = await runCliAsync(['plugins', 'install', out, '--yes'], fresh);
    expect(installed.stderr).not.toMatch(/error/);
    expect(installed.code).toBe(0);
    const run = await runCliAsync(['run', 'fledge-as-hello'], fresh);
    expect(run.stdout).toContain('hello from AssemblyScript');
    expect(run.code).toBe(0);
  });

  it('does not run the build hook without approval, and writes nothing', async () => {
    const dir = asPlugin();
    const out = join(tempDir('out'), 'x.zip');
    const r = await runCliAsync(['pack', dir, '-o', out], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Packing fledge-as-hello needs its build hook to run: .*asc\.js.*\nNothing was packed\. Approve that exact command/,
    );
    expect(existsSync(join(dir, 'build'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a binary that is not valid WebAssembly', async () => {
    const dir = writeTree(join(tempDir('pack'), 'p'), {
      'plugin.toml': manifest('fledge-broken', null, 'plugin.wasm'),
      'plugin.wasm': new Uint8Array([...WASM_HEADER, 0x01, 0xff]),
    });
    const out = join(tempDir('out'), 'x.zip');
    const r = await runCliAsync(['pack', dir, '-o', out], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plugin\.wasm starts like WebAssembly but is not a valid module/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a wasm that imports a capability its plugin.toml does not declare', async () => {
    const exec = await wat2wasm(`(module
      (import "fledge" "exec" (func $exec (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))`);
    const dir = writeTree(join(tempDir('pack'), 'p'), {
      'plugin.toml': manifest('fledge-sneaky', null, 'plugin.wasm'),
      'plugin.wasm': exec,
    });
    const r = await runCliAsync(['pack', dir, '-o', join(tempDir('out'), 'x.zip')], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /imports functions that require capabilities not granted: exec.*declare exec in plugin\.toml/,
    );
  });

  it('refuses a native plugin (pack is for sandboxed wasm plugins)', async () => {
    const dir = writeTree(join(tempDir('pack'), 'p'), {
      'plugin.toml':
        '[plugin]\nname = "fledge-native"\nversion = "1.0.0"\n\n[[commands]]\nname = "native"\nbinary = "bin/run.sh"\n',
      'bin/run.sh': '#!/bin/sh\necho hi\n',
    });
    const r = await runCliAsync(['pack', dir], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /fledge-native is a native plugin; pack makes zips of sandboxed WebAssembly plugins/,
    );
  });
});
