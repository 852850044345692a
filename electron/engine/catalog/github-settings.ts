// Where GitHub is and which token to use, as the fledge CLI finds them: FLEDGE_GITHUB_TOKEN, then
// GITHUB_TOKEN, then `[github] token` in the config dir's config.toml; the API address from
// FLEDGE_GITHUB_API_URL (this app's addition, for GitHub Enterprise and tests), else api.github.com.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { githubApiSettings } from '../install/github-api.js';

export async function readGitHubSettings(
  configDir: string,
  env: Record<string, string | undefined>,
): Promise<{ baseUrl: string; token: string | null }> {
  const fromEnv = githubApiSettings(env);
  if (fromEnv.token) return fromEnv;
  try {
    const doc = parseToml(await readFile(join(configDir, 'config.toml'), 'utf8')) as Record<string, unknown>;
    const token = (doc.github as Record<string, unknown> | undefined)?.token;
    if (typeof token === 'string' && token.trim()) return { ...fromEnv, token: token.trim() };
  } catch {
    // no config.toml, or unreadable: no token from it
  }
  return fromEnv;
}
