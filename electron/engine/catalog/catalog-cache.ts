// The catalog's memory on disk (<config>/fledge-desktop/catalog-cache.json): the last successful
// answer to each search, with its time, and what was learnt about each repository (runtime, and
// whether it installs without a toolchain). Written atomically under a lock; a damaged or foreign
// file reads as empty (it is only a cache) and is replaced on the next write. Bounded in size.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

export const CACHE_FILE = 'catalog-cache.json';
const MAX_SEARCHES = 50;
const MAX_REPOS = 1000;
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

const hitSchema = z.object({
  owner: z.string(),
  name: z.string(),
  description: z.string(),
  stars: z.number(),
  url: z.string(),
  topics: z.array(z.string()),
});
const factsSchema = z.object({
  runtime: z.enum(['wasm', 'native']).nullable(),
  installable_without_toolchain: z.boolean().nullable(),
  inspectedAt: z.string(),
});
const fileSchema = z.object({
  version: z.literal(1),
  searches: z.record(z.string(), z.object({ fetchedAt: z.string(), hits: z.array(hitSchema) })),
  repos: z.record(z.string(), factsSchema),
});

export type CachedSearch = { fetchedAt: string; hits: z.infer<typeof hitSchema>[] };
export type RepoFacts = z.infer<typeof factsSchema>;
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
      await writeFileAtomic(this.file, `${JSON.stringify(data)}\n`);
    });
  }
}
