// state.json shared with the fledge CLI: both take flock on state.json.lock, so a store written by
// both at once loses nothing. The CLI's side is played by real processes that flock the way it does
// (python's fcntl.flock, util-linux flock(1)); `npm run interop` does the same against fledge itself.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../electron/engine/host/errors.js';
import { PluginStore, STATE_LOCK_FILE } from '../../electron/engine/host/store.js';
import { tempDir } from '../support/temp.js';
import { golden } from './golden.js';

const WRITER = join(import.meta.dirname, 'fixtures', 'cli-store-writer.py');

/** Starts a process; `ready` resolves at its first line of output, `done` when it ends. */
function run(cmd: string, args: string[]) {
  let ready!: () => void;
  const started = new Promise<void>((r) => {
    ready = r;
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      ready();
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      ready();
      resolve({ code, out });
    });
  });
  return { started, done };
}

/** flock(1) holds state.json.lock for `seconds`; resolves once it holds it. */
async function holdLock(dir: string, seconds: number): Promise<ChildProcess> {
  const child = spawn('flock', [join(dir, STATE_LOCK_FILE), 'sh', '-c', `echo held; sleep ${seconds}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('error', reject);
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('close', () => r()),
  );

describe('state.json.lock, shared with the fledge CLI', () => {
  it('this app and a process writing the way the CLI does, at once, lose no key (120 + 120)', async () => {
    const dir = tempDir('lock-both');
    const store = new PluginStore(dir);
    const cli = run('python3', [WRITER, dir, 'cli', '120', '1']);
    await cli.started;
    for (let i = 0; i < 120; i++) await store.set(`app-${String(i).padStart(3, '0')}`, `value ${i}`);
    const r = await cli.done;
    expect(r.out).toContain('done');
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(state).filter((k) => k.startsWith('cli-'))).toHaveLength(120);
    expect(Object.keys(state).filter((k) => k.startsWith('app-'))).toHaveLength(120);
  });

  it('a write waits while the CLI holds the lock, then lands', async () => {
    const dir = tempDir('lock-wait');
    const holder = await holdLock(dir, 0.7);
    const t0 = Date.now();
    await new PluginStore(dir).set('after', 'the CLI');
    expect(Date.now() - t0).toBeGreaterThan(450);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ after: 'the CLI' });
    await exited(holder);
  });

  it('while this app writes, the CLI cannot take the lock (it is the same lock, not a lock of our own)', async () => {
    const dir = tempDir('lock-same');
    let probed: number | null = null;
    const store = new PluginStore(dir, {
      beforeRename: () => {
        probed = spawnSync('flock', ['-n', join(dir, STATE_LOCK_FILE), 'true']).status;
      },
    });
    await store.set('k', 'v');
    expect(probed).toBe(1); // flock -n: "could not take the lock"
    expect(spawnSync('flock', ['-n', join(dir, STATE_LOCK_FILE), 'true']).status).toBe(0);
  });

  it('gives up with a clear message when the CLI holds the lock too long, writing nothing', async () => {
    const dir = tempDir('lock-timeout');
    writeFileSync(join(dir, 'state.json'), '{\n  "kept": "yes"\n}');
    const holder = await holdLock(dir, 2);
    const err = await new PluginStore(dir, { lockTimeoutMs: 300 }).set('late', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).code).toBe('lock_timeout');
    expect((err as HostError).message).toMatch(
      /^Another program \(the fledge CLI or another run\) is still writing \S+\/state\.json; gave up after 300 ms\.$/,
    );
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ kept: 'yes' });
    holder.kill();
    await exited(holder);
  });

  it('a state.json.lock shipped as a link is refused, and nothing is created where it points', async () => {
    const dir = tempDir('lock-link');
    const outside = join(tempDir('lock-outside'), 'created-by-us');
    symlinkSync(outside, join(dir, STATE_LOCK_FILE));
    const err = await new PluginStore(dir).set('k', 'v').catch((e: unknown) => e);
    expect((err as HostError).code).toBe('lock_link');
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });

  it('reads the state.json the CLI wrote (golden), and what it writes the CLI reads (an object of strings)', async () => {
    const dir = tempDir('lock-golden');
    writeFileSync(join(dir, 'state.json'), golden('state.json'));
    const store = new PluginStore(dir);
    expect(await store.entries()).toEqual({ 'cli-000': 'v', 'cli-001': 'v', 'cli-002': 'v' });
    await store.set('app', 'ünï "quoted"');
    const r = spawnSync(
      'python3',
      [
        '-c',
        'import json,sys; d=json.load(open(sys.argv[1])); assert all(isinstance(v,str) for v in d.values()); print(len(d))',
        join(dir, 'state.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe('4');
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toMatch(/^\{\n {2}"/);
  });
});
