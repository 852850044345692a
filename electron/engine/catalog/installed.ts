// Which catalog entries are already installed: plugins.toml sources that name a GitHub repository
// (`owner/repo`, `https://github.com/owner/repo[.git]`), matched case-insensitively.
import { readRegistry } from '../registry/plugins-toml.js';

export interface InstalledRepo {
  name: string;
  runtime: 'wasm' | 'native' | null;
}

export function githubFullName(source: string): string | null {
  const m =
    /^(?:https:\/\/github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)?([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/i.exec(
      source.trim(),
    );
  if (!m || m[2] === '.' || m[2] === '..') return null;
  return `${m[1]}/${m[2]}`.toLowerCase();
}

/** full_name (lower case) -> what plugins.toml says; empty when plugins.toml is missing or damaged. */
export async function installedRepos(registryFile: string): Promise<Map<string, InstalledRepo>> {
  const found = new Map<string, InstalledRepo>();
  try {
    for (const p of (await readRegistry(registryFile)).plugins) {
      const full = githubFullName(p.source);
      if (!full) continue;
      const runtime = p.runtime === 'wasm' || p.runtime === 'native' ? p.runtime : null;
      found.set(full, { name: p.name, runtime });
    }
  } catch {
    // A damaged plugins.toml is reported where it is managed; the catalog just marks nothing installed.
  }
  return found;
}
