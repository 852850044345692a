// Shared helpers for the WASI escape tests: building the C probe, preparing a real project tree on
// disk, hashing trees, and running the probe through createWasi.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWasi, WasiExit, type WasiMount, type WasiOptions } from '../../electron/sandbox/wasi/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PROBE_SOURCE = path.resolve(here, '../fixtures/wasi-probe/probe.c');

/** Compiles probe.c with Debian clang (wasm32-wasi sysroot) into `outDir`. */
export function buildProbe(outDir: string): WebAssembly.Module {
  const out = path.join(outDir, 'probe.wasm');
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-Wno-unused-result', PROBE_SOURCE, '-o', out], {
    stdio: 'pipe',
  });
  return new WebAssembly.Module(fs.readFileSync(out));
}

export interface ProbeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout lines. */
  lines: string[];
}

export function runProbe(
  module: WebAssembly.Module,
  mounts: WasiMount[],
  ops: string[],
  extra: Partial<WasiOptions> = {},
): ProbeRun {
  let stdout = '';
  let stderr = '';
  const dec = new TextDecoder();
  const wasi = createWasi({
    args: ['probe', ...ops],
    env: {},
    mounts,
    realClock: false,
    realRandom: false,
    randomSeed: 'test',
    stdout: (b) => {
      stdout += dec.decode(b);
    },
    stderr: (b) => {
      stderr += dec.decode(b);
    },
    ...extra,
  });
  let exitCode = 0;
  try {
    const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.imports });
    wasi.setMemory(instance.exports.memory as WebAssembly.Memory);
    (instance.exports._start as () => void)();
  } catch (e) {
    if (e instanceof WasiExit) exitCode = e.code;
    else throw e;
  } finally {
    wasi.close();
  }
  return { exitCode, stdout, stderr, lines: stdout.split('\n').filter((l) => l !== '') };
}

/** One result line per op: the probe prints "<op>: ok ..." or "<op>: errno N". */
export function errnoOf(line: string | undefined): number {
  const m = /: errno (\d+)$/.exec(line ?? '');
  return m ? Number(m[1]) : 0;
}

/** A hash of everything about a tree that a guest could change: names, types, modes, sizes,
 * contents, symlink targets, modification times. */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  const walk = (p: string, rel: string): void => {
    const st = fs.lstatSync(p, { bigint: true });
    h.update(`${rel}\0${st.mode}\0${st.size}\0${st.mtimeNs}\0${st.nlink}\0`);
    if (st.isSymbolicLink()) h.update(`link:${fs.readlinkSync(p)}\0`);
    else if (st.isFile()) h.update(fs.readFileSync(p));
    else if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name), `${rel}/${name}`);
    }
  };
  walk(root, '.');
  return h.digest('hex');
}

export interface Fixture {
  base: string;
  project: string;
  plugin: string;
  outside: string;
  secretFile: string;
  dispose(): void;
}

export const SECRET = 'TOP SECRET: outside the sandbox';

/**
 * base/
 *   outside/secret.txt, outside/dir/inner.txt        the files to protect
 *   project/  (mounted read-only at /project)
 *     README.md, src/main.c, src/lib/util.c, empty/
 *     link-in -> src/main.c          in-mount symlink
 *     link-dir -> src                in-mount directory symlink
 *     src/link-up -> ../README.md    in-mount symlink that climbs (stays inside)
 *     link-out -> ../outside/secret.txt    escaping relative symlink
 *     link-outdir -> ../outside            escaping directory symlink
 *     link-abs -> <abs>/outside/secret.txt absolute symlink
 *     src/link-deep-out -> ../../outside/secret.txt
 *   plugin/   (mounted read-write at /plugin)
 *     data.txt
 *     link-out -> ../outside/secret.txt, link-outdir -> ../outside, link-abs -> <abs secret>
 *     dangle-out -> ../outside/planted.txt   escaping dangling symlink (O_CREAT through it)
 */
export function makeFixture(): Fixture {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-escape-')));
  const outside = path.join(base, 'outside');
  const project = path.join(base, 'project');
  const plugin = path.join(base, 'plugin');
  const secretFile = path.join(outside, 'secret.txt');
  fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
  fs.writeFileSync(secretFile, SECRET);
  fs.writeFileSync(path.join(outside, 'dir', 'inner.txt'), SECRET);
  fs.mkdirSync(path.join(project, 'src', 'lib'), { recursive: true });
  fs.mkdirSync(path.join(project, 'empty'));
  fs.writeFileSync(path.join(project, 'README.md'), '# hello project\n');
  fs.writeFileSync(path.join(project, 'src', 'main.c'), 'int main(void) { return 0; }\n');
  fs.writeFileSync(path.join(project, 'src', 'lib', 'util.c'), 'int util;\n');
  fs.symlinkSync('src/main.c', path.join(project, 'link-in'));
  fs.symlinkSync('src', path.join(project, 'link-dir'));
  fs.symlinkSync('../README.md', path.join(project, 'src', 'link-up'));
  fs.symlinkSync('../outside/secret.txt', path.join(project, 'link-out'));
  fs.symlinkSync('../outside', path.join(project, 'link-outdir'));
  fs.symlinkSync(secretFile, path.join(project, 'link-abs'));
  fs.symlinkSync('../../outside/secret.txt', path.join(project, 'src', 'link-deep-out'));
  fs.mkdirSync(plugin);
  fs.writeFileSync(path.join(plugin, 'data.txt'), 'plugin data\n');
  fs.symlinkSync('../outside/secret.txt', path.join(plugin, 'link-out'));
  fs.symlinkSync('../outside', path.join(plugin, 'link-outdir'));
  fs.symlinkSync(secretFile, path.join(plugin, 'link-abs'));
  fs.symlinkSync('../outside/planted.txt', path.join(plugin, 'dangle-out'));
  return {
    base,
    project,
    plugin,
    outside,
    secretFile,
    dispose: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

export function mountsOf(f: Fixture): WasiMount[] {
  return [
    { guestPath: '/project', hostPath: f.project, readOnly: true },
    { guestPath: '/plugin', hostPath: f.plugin, readOnly: false },
  ];
}
