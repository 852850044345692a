// Items 1 and 2 of the hardening issue: a run's end is final. However many host calls a plugin has
// queued, they are dropped or cancelled when the run ends, the end is reported at once, and no child
// process of the run (an exec, a git query) outlives it, whatever the timing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Capabilities, NO_CAPABILITIES } from '../../shared/capabilities.js';
import { makePlugin, runPlugin, wat2wasm, watString } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';

const IMPORTS = `
  (import "fledge" "send" (func $send (param i32 i32)))
  (import "fledge" "recv" (func $recv (param i32 i32) (result i32)))
  (import "fledge" "exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))`;

/** Sends `template` `count` times, its "000000" replaced by the running number, then spins forever. */
async function floodThenSpin(template: string, count: number): Promise<Uint8Array> {
  const idAt = 1024 + template.indexOf('000000');
  return wat2wasm(`(module ${IMPORTS} (memory (export "memory") 1)
    (data (i32.const 1024) "${watString(template)}")
    (func $digits (param $n i32) (local $k i32)
      (local.set $k (i32.const 5))
      (loop $d
        (i32.store8 (i32.add (i32.const ${idAt}) (local.get $k))
          (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
        (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $d (i32.ge_s (local.get $k) (i32.const 0)))))
    (func (export "_start") (local $i i32)
      (loop $more
        (call $digits (local.get $i))
        (call $send (i32.const 1024) (i32.const ${new TextEncoder().encode(template).length}))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (i32.const ${count}))))
      (loop $forever (br $forever))))`);
}

/** A git repository with some history and tags: every metadata git query does real work. */
function gitProject(): { name: string; root: string; language: string; git: null } {
  const root = tempDir('meta-project');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, stdio: 'pipe' });
  git('init', '-q');
  for (let i = 0; i < 20; i++) {
    writeFileSync(join(root, `f${i}.txt`), `${i}\n`);
    git('add', '.');
    git('commit', '-q', '-m', `c${i}`);
    git('tag', `v0.${i}.0`);
  }
  writeFileSync(join(root, 'dirty.txt'), 'x');
  return { name: 'p', root, language: 'unknown', git: null };
}

/** Processes whose working directory is `dir` or inside it. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

const grants = (g: Partial<Capabilities>): Capabilities => ({ ...NO_CAPABILITIES, ...g });

describe('a run that queued a thousand host calls ends at its limit', () => {
  it('1000 metadata requests (git, each), then a spin: the end comes at the wall clock, not after the queue', async () => {
    const project = gitProject();
    const wasm = await floodThenSpin(
      '{"type":"metadata","id":"000000","keys":["git_tags","git_status","git_log","env","fledge_config"]}',
      1000,
    );
    const plugin = makePlugin(wasm, { declared: { metadata: true } });
    const t0 = performance.now();
    const { end } = await runPlugin(plugin, {
      project,
      grants: grants({ metadata: true }),
      limits: { timeoutMs: 2000, fuel: 10n ** 15n }, // the spin must meet the wall clock, not the fuel budget
    });
    const took = performance.now() - t0;
    expect(end.reason).toBe('timeout');
    expect(took).toBeLessThan(4000);
    // No git the run started is still at work in the project.
    await new Promise((r) => setTimeout(r, 200));
    expect(processesIn(realpathSync(project.root))).toEqual([]);
  }, 60_000);

  it('1000 load requests with only store granted: the same', async () => {
    const wasm = await floodThenSpin('{"type":"load","id":"000000","key":"k"}', 1000);
    const plugin = makePlugin(wasm, { declared: { store: true } });
    // A big store makes each read cost something.
    const big: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) big[`key${i}`] = 'x'.repeat(500);
    writeFileSync(join(plugin.dir, 'state.json'), JSON.stringify(big));
    const t0 = performance.now();
    const { end } = await runPlugin(plugin, {
      grants: grants({ store: true }),
      limits: { timeoutMs: 1000, fuel: 10n ** 15n },
    });
    expect(end.reason).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(2500);
  }, 60_000);
});

describe('no exec outlives its run', () => {
  const deepTrees: string[] = [];
  // Node's recursive rm overflows its stack on a tree this deep; rm(1) does not.
  afterAll(() => {
    for (const d of deepTrees) execFileSync('rm', ['-rf', d]);
  });
  it('an exec whose working directory takes long to resolve, started just before the run ends, never runs', async () => {
    const DEPTH = 1800;
    const plugin = makePlugin(null, { declared: { exec: true, filesystem: 'plugin' } });
    const data = join(realpathSync(plugin.dir), 'data');
    deepTrees.push(data);
    const quick = '{"type":"exec","id":"1","command":"true"}';
    const prefix = `{"type":"exec","id":"2","command":"sleep 2; echo late > LATE","cwd":"${data}/`;
    const PATH_AT = 8192;
    const prefixAt = PATH_AT - new TextEncoder().encode(prefix).length;
    // Builds a/a/a/... DEPTH deep in /plugin (fd 3; one level at a time, through an fd of the level
    // above), then asks for the quick exec and the slow one (in the deepest folder), and exits as
    // soon as the quick one has answered.
    const wasm = await wat2wasm(`(module ${IMPORTS}
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 32) "a")
      (data (i32.const 64) "${watString(quick)}")
      (data (i32.const ${prefixAt}) "${watString(prefix)}")
      (func (export "_start") (local $len i32) (local $i i32) (local $fd i32)
        (local.set $fd (i32.const 3))
        (loop $deeper
          (drop (call $mkdir (local.get $fd) (i32.const 32) (i32.const 1)))
          (if (call $open (local.get $fd) (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 2)
                (i64.const 0x2200) (i64.const 0x2200) (i32.const 0) (i32.const 16))
            (then (call $exit (i32.const 9))))
          (if (i32.ne (local.get $fd) (i32.const 3)) (then (drop (call $close (local.get $fd)))))
          (local.set $fd (i32.load (i32.const 16)))
          (i32.store8 (i32.add (i32.const ${PATH_AT}) (local.get $len)) (i32.const 97))
          (i32.store8 (i32.add (i32.const ${PATH_AT + 1}) (local.get $len)) (i32.const 47))
          (local.set $len (i32.add (local.get $len) (i32.const 2)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $deeper (i32.lt_u (local.get $i) (i32.const ${DEPTH}))))
        ;; a/a/.../a/ -> a/a/.../a"}
        (i32.store8 (i32.add (i32.const ${PATH_AT - 1}) (local.get $len)) (i32.const 34))
        (i32.store8 (i32.add (i32.const ${PATH_AT}) (local.get $len)) (i32.const 125))
        (call $send (i32.const 64) (i32.const ${quick.length}))
        (call $send (i32.const ${prefixAt}) (i32.add (local.get $len) (i32.const ${PATH_AT - prefixAt + 1})))
        (drop (call $recv (i32.const 32768) (i32.const 16384))) ;; init
        (drop (call $recv (i32.const 32768) (i32.const 16384))) ;; the quick exec's answer
        (call $exit (i32.const 0))))`);
    writeFileSync(plugin.binary, wasm);
    const deepest = join(data, ...Array<string>(DEPTH).fill('a'));
    for (let attempt = 0; attempt < 3; attempt++) {
      const { end } = await runPlugin(plugin, {
        grants: grants({ exec: true, filesystem: 'plugin' }),
        limits: { timeoutMs: 20_000 },
      });
      expect(end).toMatchObject({ reason: 'exit', code: 0 });
      expect(existsSync(deepest)).toBe(true);
      await new Promise((r) => setTimeout(r, 150));
      expect(processesIn(data)).toEqual([]);
    }
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(join(deepest, 'LATE'))).toBe(false);
  }, 60_000);
});
