/**
 * Run history per project, on disk under <app data>/history/<project key>/: an index of summaries
 * (newest first, bounded) and one file per run with its kept output. Written atomically under a
 * lock; a damaged file is skipped, never trusted. Survives restarts of the app.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { runRecord, runSummary } from '../../../shared/ipc/schemas/runs.js';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

export type RunSummaryData = z.output<typeof runSummary>;
export type RunRecordData = z.output<typeof runRecord>;

const indexSchema = runSummary.array();

export function projectKey(projectPath: string | null): string {
  return createHash('sha256')
    .update(projectPath ?? '\u0000no project')
    .digest('hex')
    .slice(0, 24);
}

export class RunHistory {
  private readonly dir: string;
  /** runId -> project key, learned from the indexes read or written. */
  private readonly where = new Map<string, string>();

  constructor(appDataDir: string) {
    this.dir = join(appDataDir, 'history');
  }

  private folder(key: string): string {
    return join(this.dir, key);
  }

  private async readIndex(key: string): Promise<RunSummaryData[]> {
    let text: string;
    try {
      text = await readFile(join(this.folder(key), 'index.json'), 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = indexSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return [];
      for (const r of parsed.data) this.where.set(r.id, key);
      return parsed.data;
    } catch {
      return [];
    }
  }

  /** Adds a finished run (newest first) and drops the oldest beyond `keep`. */
  async add(record: RunRecordData, keep: number): Promise<void> {
    const key = projectKey(record.projectPath);
    const folder = this.folder(key);
    await mkdir(folder, { recursive: true });
    await withFileLock(join(folder, '.lock'), async () => {
      await writeFileAtomic(join(folder, `${record.id}.json`), JSON.stringify(record));
      const { output: _output, ...summary } = record;
      const index = [summary, ...(await this.readIndex(key)).filter((r) => r.id !== record.id)];
      const dropped = index.splice(keep);
      await writeFileAtomic(join(folder, 'index.json'), JSON.stringify(index));
      this.where.set(record.id, key);
      for (const old of dropped) {
        this.where.delete(old.id);
        await rm(join(folder, `${old.id}.json`), { force: true });
      }
    });
  }

  /** Finished runs of a project, newest first. */
  async list(
    projectPath: string | null,
    options: { plugin?: string; limit?: number } = {},
  ): Promise<RunSummaryData[]> {
    const runs = await this.readIndex(projectKey(projectPath));
    const mine = options.plugin ? runs.filter((r) => r.plugin === options.plugin) : runs;
    return mine.slice(0, options.limit ?? mine.length);
  }

  /** One run with its output, or null if it is not (or no longer) in any project's history. */
  async get(runId: string): Promise<RunRecordData | null> {
    let key = this.where.get(runId);
    if (!key) {
      await this.learnAll();
      key = this.where.get(runId);
    }
    if (!key) return null;
    // Only an id found in an index names a file: a client's id never becomes a path on its own.
    try {
      const parsed = runRecord.safeParse(
        JSON.parse(await readFile(join(this.folder(key), `${runId}.json`), 'utf8')),
      );
      return parsed.success && parsed.data.id === runId ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async clear(projectPath: string | null): Promise<void> {
    const key = projectKey(projectPath);
    for (const r of await this.readIndex(key)) this.where.delete(r.id);
    await rm(this.folder(key), { recursive: true, force: true });
  }

  private async learnAll(): Promise<void> {
    const keys = await readdir(this.dir).catch(() => [] as string[]);
    for (const key of keys) if (/^[0-9a-f]{24}$/.test(key)) await this.readIndex(key);
  }
}
