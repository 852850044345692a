// Install progress beyond downloads: the build hook's output streams as `building` events, and
// cancelling while it builds kills the build and installs nothing.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../electron/engine/catalog/index.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { refusal } from '../install/helpers.js';
import { tempDir, writeTree } from '../support/temp.js';
import { helloWasm } from './helpers.js';

function manifest(build: string): string {
  return `[plugin]
name = "fledge-built"
version = "1.0.0"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "built"
binary = "out/built.wasm"

[hooks]
build = "${build}"
`;
}

const approveBuild = async () => ({ granted: { ...NO_CAPABILITIES }, allowBuild: true });

describe('install progress while building', () => {
  it("streams the build hook's output lines as building events, then prepares and is done", async () => {
    const root = tempDir('progress');
    const wasm = await helloWasm();
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('sh build.sh'),
      'build.sh':
        'echo compiling step 1\necho compiling step 2 >&2\nmkdir -p out && cp prebuilt.bin out/built.wasm\necho finished\n',
      'prebuilt.bin': wasm,
    });
    const events: InstallProgress[] = [];
    await new PluginService(join(root, 'config'), root).install(src, approveBuild, {
      onProgress: (p) => events.push(p),
    });
    const building = events.filter((e) => e.phase === 'building').map((e) => e.message);
    expect(building[0]).toBe('Building fledge-built: sh build.sh');
    expect(building.slice(1).sort()).toEqual(['compiling step 1', 'compiling step 2', 'finished']);
    expect(events.map((e) => e.phase).slice(-2)).toEqual(['preparing', 'done']);
  });

  it('cancelling during the build kills it and installs nothing', async () => {
    const root = tempDir('progress');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': manifest('sh build.sh'),
      'build.sh': 'echo started\nsleep 30\nmkdir -p out && touch out/built.wasm\n',
    });
    const controller = new AbortController();
    const started = Date.now();
    const err = await refusal(
      new PluginService(join(root, 'config'), root).install(src, approveBuild, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.message === 'started') controller.abort();
        },
      }),
    );
    expect(err.code).toBe('install_cancelled');
    expect(Date.now() - started).toBeLessThan(20_000);
    const plugins = join(root, 'config', 'plugins');
    expect(existsSync(plugins) ? readdirSync(plugins).filter((n) => !n.startsWith('.')) : []).toEqual([]);
    expect(existsSync(join(root, 'config', 'plugins.toml'))).toBe(false);
  });
});
