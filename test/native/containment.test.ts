// Contained native runs under bubblewrap: a contained plugin cannot write the project, read a file
// in the home folder, reach a socket on 127.0.0.1 or see processes outside; granted
// `filesystem = "plugin"` it can write its data folder. Everything is checked on disk afterwards, and
// each probe is shown to work by the same plugin with full access.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { RunManager } from '../../electron/engine/runs/index.js';
import type { Capabilities } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';
import { makeProject, nativePlugin, type RunNativeOptions, runNative } from './helpers.js';

const support = await containmentSupport();
if (!support.available) console.warn(`containment tests skipped: ${support.reason}`);

interface World {
  project: string;
  homeFile: string;
  port: number;
  tag: string;
  connections: string[];
}

let server: Server;
let outsider: ChildProcess;
const world: World = { project: '', homeFile: '', port: 0, tag: '', connections: [] };

beforeAll(async () => {
  world.tag = `fledge-probe-${randomBytes(5).toString('hex')}`;
  world.project = makeProject();
  const home = tempDir('native-home');
  world.homeFile = join(home, '.secret');
  writeFileSync(world.homeFile, 'home secret');
  server = createServer((socket) => {
    socket.on('data', (d) => world.connections.push(d.toString()));
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  world.port = (server.address() as { port: number }).port;
  outsider = spawn('bash', ['-c', `exec -a ${world.tag}-outside sleep 120`], { stdio: 'ignore' });
});

afterAll(() => {
  server?.close();
  outsider?.kill('SIGKILL');
});

async function probe(options: RunNativeOptions & { declared?: Partial<Capabilities> }) {
  const plugin = nativePlugin('probe.sh', { declared: options.declared ?? {} });
  const before = world.connections.length;
  const r = await runNative(plugin, {
    ...options,
    project: world.project,
    env: { ...process.env, HOME: join(world.homeFile, '..') },
    args: [world.project, world.homeFile, String(world.port), world.tag],
  });
  expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  await new Promise((res) => setTimeout(res, 100)); // let the server see what arrived
  const seen = Object.fromEntries(r.outputs.map((o) => o.split('=', 2) as [string, string]));
  return { r, plugin, seen, connected: world.connections.length > before };
}

describe.skipIf(!support.available)('a contained native plugin (bubblewrap)', () => {
  it('reads the project but cannot write it, its own folder, the home folder, the network or other processes', async () => {
    const { r, plugin, seen, connected } = await probe({});
    expect(r.run.describe().native).toEqual({
      access: 'contained',
      label: 'native, contained (read-only project, no network)',
    });
    expect(r.events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        source: 'host',
        message: expect.stringMatching(/runs native, contained/),
      }),
    );
    expect(seen['project-read']).toBe('ok');
    expect(seen['project-write']).toBe('denied');
    expect(existsSync(join(world.project, 'pwned.txt'))).toBe(false);
    expect(seen['home-read']).toBe('denied');
    expect(seen.socket).toBe('refused');
    expect(connected).toBe(false);
    expect(seen['sees-outside']).toBe('no');
    expect(seen['data-write']).toBe('denied');
    expect(existsSync(join(plugin.dir, 'data', 'out.txt'))).toBe(false);
    expect(seen['plugin-dir-write']).toBe('denied');
    expect(existsSync(join(plugin.dir, 'planted'))).toBe(false);
    // Its /tmp is its own: what it wrote there is not in ours.
    expect(seen['tmp-write']).toBe('ok');
    expect(existsSync(join('/tmp', world.tag))).toBe(false);
    expect(seen.home).toBe('/tmp');
  });

  it('granted filesystem = "plugin", it writes its data folder (and still not the project)', async () => {
    const { r, plugin, seen } = await probe({
      declared: { filesystem: 'plugin' },
      grants: { filesystem: 'plugin' },
    });
    expect(r.run.describe().native?.label).toBe(
      'native, contained (read-only project, its own data folder writable, no network)',
    );
    expect(seen['data-write']).toBe('ok');
    expect(readFileSync(join(plugin.dir, 'data', 'out.txt'), 'utf8')).toBe('data\n');
    expect(seen['project-write']).toBe('denied');
    expect(existsSync(join(world.project, 'pwned.txt'))).toBe(false);
  });

  it('granted network, it reaches the socket', async () => {
    const { seen, connected } = await probe({ declared: { network: true }, grants: { network: true } });
    expect(seen.socket).toBe('connected');
    expect(connected).toBe(true);
  });
});

describe.skipIf(!support.available)('a contained plugin run on a project holding the config dir', () => {
  it('does not see the config dir (plugins.toml, consent records, other plugins) inside the project', async () => {
    const project = makeProject();
    const configDir = join(project, '.config', 'fledge');
    mkdirSync(join(configDir, 'plugins'), { recursive: true });
    writeFileSync(join(configDir, 'plugins.toml'), '# the registry\n');
    const manager = new RunManager({ poolSize: 0, configDir });
    try {
      const r = await runNative(nativePlugin('probe.sh'), {
        manager,
        project,
        args: [project, join(configDir, 'plugins.toml'), String(world.port), world.tag],
      });
      const seen = Object.fromEntries(r.outputs.map((o) => o.split('=', 2) as [string, string]));
      expect(seen['project-read']).toBe('ok'); // the rest of the project is there
      expect(seen['home-read']).toBe('denied');
    } finally {
      await manager.close();
    }
  });
});

describe('the same probe with full access (shows each probe can fail)', () => {
  it('writes the project, reads the home file, reaches the socket and sees other processes', async () => {
    const { r, seen, connected } = await probe({ access: 'full' });
    expect(r.run.describe().native).toEqual({ access: 'full', label: 'native, full access' });
    expect(seen['project-write']).toBe('ok');
    expect(existsSync(join(world.project, 'pwned.txt'))).toBe(true);
    rmSync(join(world.project, 'pwned.txt'));
    expect(seen['home-read']).toBe('home secret');
    expect(seen.socket).toBe('connected');
    expect(connected).toBe(true);
    expect(seen['sees-outside']).toBe('yes');
  });
});
