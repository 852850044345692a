import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineHostServices } from '../../electron/engine/host/services.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from './helpers.js';

function setup(grants: Partial<typeof NO_CAPABILITIES>) {
  const base = tempDir();
  const project = join(base, 'project');
  const plugin = join(base, 'plugins', 'demo');
  mkdirSync(project, { recursive: true });
  mkdirSync(plugin, { recursive: true });
  const execs: { command: string; code: number }[] = [];
  const services = new EngineHostServices({
    pluginName: 'demo',
    pluginDir: plugin,
    projectRoot: project,
    grants: { ...NO_CAPABILITIES, ...grants },
    env: { PATH: process.env.PATH, API_TOKEN: 'secret', LANG: 'C' },
    onExec: (req, res) => execs.push({ command: req.command, code: res.code }),
  });
  return { base, project, plugin, services, execs };
}

describe('EngineHostServices', () => {
  it('serves granted exec, store and metadata', async () => {
    const { project, plugin, services, execs } = setup({ exec: true, store: true, metadata: true });
    const r = await services.exec({ command: 'pwd', timeout: 5 });
    expect(r).toEqual({ code: 0, stdout: `${project}\n`, stderr: '' });
    expect(execs).toEqual([{ command: 'pwd', code: 0 }]);
    await services.storeSet('k', 'v');
    expect(await services.storeGet('k')).toBe('v');
    expect(JSON.parse(readFileSync(join(plugin, 'state.json'), 'utf8'))).toEqual({ k: 'v' });
    expect(await services.metadata(['env', 'bogus'])).toEqual({ env: { PATH: process.env.PATH, LANG: 'C' } });
  });

  it('refuses an escaping cwd through the protocol (code 126, nothing runs)', async () => {
    const { base, services } = setup({ exec: true });
    const marker = join(base, 'marker');
    const r = await services.exec({ command: `touch ${marker}`, cwd: '../' });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/outside the project/);
    expect(existsSync(marker)).toBe(false);
  });

  it('answers like the native protocol when a capability is not granted', async () => {
    const { base, plugin, services } = setup({});
    const marker = join(base, 'marker');
    const r = await services.exec({ command: `touch ${marker}` });
    expect(r.code).toBe(126);
    expect(existsSync(marker)).toBe(false);
    await services.storeSet('k', 'v');
    expect(existsSync(join(plugin, 'state.json'))).toBe(false);
    expect(await services.storeGet('k')).toBeNull();
    expect(await services.metadata(['env'])).toEqual({});
  });

  it('close() kills an exec in flight', async () => {
    const { services } = setup({ exec: true });
    const pending = services.exec({ command: 'sleep 30' });
    setTimeout(() => services.close(), 200);
    const r = await pending;
    expect(r.code).toBe(137);
  });
});
