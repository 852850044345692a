// What a plugin's /project must never show, whatever the project is: the config dir (the prepared-
// cache key, plugins.toml, consent records, every installed plugin) and the folders of the other
// installed plugins, wherever they are (a linked install points at its author's folder). A person
// who picks their home folder as the project would otherwise hand all of it to any plugin granted
// `filesystem = "project"`. The sandbox's WASI hides these folders by identity (wasi/resolve.ts).
import { readdir, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveConfigDir } from '../registry/config-dir.js';

async function real(path: string): Promise<string | null> {
  return realpath(path).catch(() => null);
}

/** Real paths to hide from /project for a run of the plugin in `pluginDir` (itself excepted). */
export async function hiddenFromProject(configDir: string, pluginDir: string): Promise<string[]> {
  const hidden = new Set<string>();
  const own = await real(pluginDir);
  // Ours, and the CLI's own when FLEDGE_CONFIG_DIR moved ours elsewhere.
  const platformDir = resolveConfigDir({
    env: { ...process.env, FLEDGE_CONFIG_DIR: undefined },
    platform: process.platform,
    home: homedir(),
  });
  for (const dir of new Set([configDir, platformDir])) {
    const r = await real(dir);
    if (!r) continue;
    hidden.add(r);
    for (const name of await readdir(join(dir, 'plugins')).catch(() => [] as string[])) {
      const p = await real(join(dir, 'plugins', name));
      if (p && p !== own) hidden.add(p);
    }
  }
  return [...hidden];
}
