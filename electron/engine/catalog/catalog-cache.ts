// The catalog's memory on disk (<config>/fledge-desktop/catalog-cache.json): the last successful
// answer to each search, with its time, and what was learnt about each repository (runtime, and
// whether it installs without a toolchain), keyed by what it was learnt from (the latest release's
// tag and assets, or the default branch's commit) and the repository's last push. Written atomically
// (0600) under a lock; a damaged or foreign file reads as empty (it is only a cache) and is replaced
// on the next write. Bounded in size.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

export const CACHE_FILE = 'catalog-cache.json';
const MAX_SEARCHES = 50;
const MAX_REPOS = 1000;
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

const hitSchema = z.object({
  owner: z.string().max(1000),
  name: z.string().max(1000),
  description: z.string().max(1000),
  stars: z.number(),
  url: z.string().max(1000),
  topics: z.array(z.string().max(100)).max(50),
  defaultBranch: z.string().max(255).nullable().optional(),
  pushedAt: z.string().max(40).nullable().optional(),
});
const factsSchema = z.object({
  runtime: z.enum(['wasm', 'native']).nullable(),
  installable_without_toolchain: z.boolean().nullable(),
  /** What it needs to be built ("Rust", "Go"...), when it does not install without a toolchain. */
  toolchain: z.string().max(40).nullable().default(null),
  /** Why it cannot be installed at all (no or invalid plugin.toml); null when it can. */
  problem: z.string().max(300).nullable().default(null),
  /** What the facts were read from: "release:<tag>#<assets>" or "commit:<sha>" ("" from an older file). */
  key: z.string().max(400).default(''),
  /** The repository's last push when they were read (null when not known). */
  pushedAt: z.string().max(40).nullable().default(null),
  inspectedAt: z.string().max(40),
});
const fileSchema = z.object({
  version: z.literal(1),
  searches: z.record(z.string(), z.object({ fetchedAt: z.string(), hits: z.array(hitSchema) })),
  repos: z.record(z.string(), factsSchema),
});

export type CachedSearch = { fetchedAt: string; hits: z.infer<typeof hitSchema>[] };
export type RepoFacts = z.output<typeof factsSchema>;
type CacheData = z.infer<typeof fileSchema>;

const empty = (): CacheData => ({ version: 1, searches: {}, repos: {} });

export class CatalogCache {
  readonly file: string;

  constructor(configDir: string) {
    this.file = join(configDir, 'fledge-desktop', CACHE_FILE);
  }

  async read(): Promise<CacheData> {
    try {
      const st = await fsp.stat(this.file);
      if (!st.isFile() || st.size > MAX_CACHE_BYTES) return empty();
      const parsed = fileSchema.safeParse(JSON.parse(await fsp.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : empty();
    } catch {
      return empty();
    }
  }

  async search(key: string): Promise<CachedSearch | null> {
    return (await this.read()).searches[key] ?? null;
  }

  async saveSearch(key: string, entry: CachedSearch): Promise<void> {
    await this.update((data) => {
      delete data.searches[key];
      data.searches[key] = entry;
      const keys = Object.keys(data.searches);
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_SEARCHES))) delete data.searches[old];
    });
  }

  async facts(fullName: string): Promise<RepoFacts | null> {
    return (await this.read()).repos[fullName.toLowerCase()] ?? null;
  }

  async saveFacts(fullName: string, facts: RepoFacts): Promise<void> {
    await this.update((data) => {
      const key = fullName.toLowerCase();
      delete data.repos[key];
      data.repos[key] = facts;
      const keys = Object.keys(data.repos);
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_REPOS))) delete data.repos[old];
    });
  }

  private async update(change: (data: CacheData) => void): Promise<void> {
    await fsp.mkdir(dirname(this.file), { recursive: true });
    await withFileLock(`${this.file}.lock`, async () => {
      const data = await this.read();
      change(data);
      await writeFileAtomic(this.file, `${JSON.stringify(data)}\n`, { mode: 0o600 });
    });
  }
}
