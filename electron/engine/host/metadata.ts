// The `metadata` capability: the keys the fledge CLI answers (src/protocol/metadata.rs) with the same
// shapes: fledge_config (the project's fledge.toml as JSON, or null), git_tags (newest first, <= 100),
// git_status (`git status --porcelain` lines), git_log (`git log --oneline -20` lines), env (the
// environment without anything that looks like a secret). Unknown keys are ignored (left out).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { lines, runGit } from './git.js';
import { filterEnv } from './secrets.js';

export const METADATA_KEYS = ['fledge_config', 'git_tags', 'git_status', 'git_log', 'env'] as const;
export type MetadataKey = (typeof METADATA_KEYS)[number];

export interface MetadataContext {
  /** null when the run has no project: the git keys are empty lists, fledge_config is null. */
  projectRoot: string | null;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  gitTimeoutMs?: number;
  /** Aborted when the run ends: git queries still running are killed, none is started. */
  signal?: AbortSignal;
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_STATUS_LINES = 1000;

/**
 * Git options that keep read-only queries read-only even in a repository whose own config is hostile:
 * core.fsmonitor would run a program on `git status`; optional locks would write the index.
 */
export const SAFE_GIT_READ = ['-c', 'core.fsmonitor=false', '--no-optional-locks'];

/** The keys a plugin asked for, validated: anything that is not an array of strings asks for nothing. */
export function parseMetadataKeys(keys: unknown): MetadataKey[] {
  if (!Array.isArray(keys)) return [];
  const wanted = new Set<MetadataKey>();
  for (const k of keys) {
    if (typeof k === 'string' && (METADATA_KEYS as readonly string[]).includes(k))
      wanted.add(k as MetadataKey);
  }
  return [...wanted];
}

export async function collectMetadata(keys: unknown, ctx: MetadataContext): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const timeoutMs = ctx.gitTimeoutMs ?? 10_000;
  const root = ctx.projectRoot;
  const gitLines = async (args: string[], limit: number): Promise<string[]> => {
    if (!root || ctx.signal?.aborted) return [];
    const r = await runGit([...SAFE_GIT_READ, ...args], {
      cwd: root,
      timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }).catch(() => null);
    return r?.ok ? lines(r.stdout).slice(0, limit) : [];
  };
  await Promise.all(
    parseMetadataKeys(keys).map(async (key) => {
      switch (key) {
        case 'fledge_config':
          result[key] = root ? await readFledgeConfig(root) : null;
          break;
        case 'git_tags':
          result[key] = await gitLines(['tag', '--sort=-v:refname', '--no-column'], 100);
          break;
        case 'git_status':
          result[key] = await gitLines(['status', '--porcelain'], MAX_STATUS_LINES);
          break;
        case 'git_log':
          result[key] = await gitLines(['log', '--oneline', '--no-color', '--no-decorate', '-20'], 20);
          break;
        case 'env':
          result[key] = filterEnv(ctx.env ?? process.env);
          break;
      }
    }),
  );
  return result;
}

/** The project's fledge.toml as JSON (dates as ISO strings), or null if absent, too large or invalid. */
export async function readFledgeConfig(projectRoot: string): Promise<unknown> {
  const path = join(projectRoot, 'fledge.toml');
  try {
    const st = await fsp.stat(path);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return null;
    const parsed = parseToml(await fsp.readFile(path, 'utf8'));
    return JSON.parse(JSON.stringify(parsed, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  } catch {
    return null;
  }
}
