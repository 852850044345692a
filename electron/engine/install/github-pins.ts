// plugins.toml records a GitHub install's resolved COMMIT as pinned_ref (as the issue asks, and so
// the fledge CLI sees exactly what was installed). What the person asked for (a tag or branch, or
// nothing: "the latest release") is kept here, in <config>/fledge-desktop/github-refs.json, so an
// update follows it: the latest release again, or the same tag/branch, not the old commit forever.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

/** plugin name -> commit -> what was asked for (kept per commit: a declined install does not overwrite the installed one's). */
const fileSchema = z.record(z.string(), z.record(z.string(), z.string().nullable()));
const KEEP_PER_PLUGIN = 10;
type Pins = z.infer<typeof fileSchema>;

export function githubRefsFile(configDir: string): string {
  return join(configDir, 'fledge-desktop', 'github-refs.json');
}

async function readPins(file: string): Promise<Pins> {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(await fsp.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Remembers what was asked for when `name` was fetched at `commit`. */
export async function rememberRequestedRef(
  configDir: string,
  name: string,
  commit: string,
  requested: string | null,
): Promise<void> {
  const file = githubRefsFile(configDir);
  await fsp.mkdir(dirname(file), { recursive: true });
  await withFileLock(`${file}.lock`, async () => {
    const pins = await readPins(file);
    const mine = pins[name] ?? {};
    delete mine[commit];
    mine[commit] = requested;
    const commits = Object.keys(mine);
    for (const old of commits.slice(0, Math.max(0, commits.length - KEEP_PER_PLUGIN))) delete mine[old];
    pins[name] = mine;
    await writeFileAtomic(file, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
  });
}

/**
 * The spec an update of a GitHub install should fetch: `source` (latest release again) or
 * `source@<tag or branch>`; null when this is not a GitHub install we remember (the caller uses
 * plugins.toml's pinned_ref as before, e.g. for a plugin the fledge CLI installed).
 */
export async function githubUpdateSpec(
  configDir: string,
  record: { name: string; source: string; pinned_ref?: string },
): Promise<string | null> {
  if (!record.pinned_ref || record.source.includes('@')) return null;
  const mine = (await readPins(githubRefsFile(configDir)))[record.name];
  if (!mine || !Object.hasOwn(mine, record.pinned_ref)) return null;
  const requested = mine[record.pinned_ref];
  return requested ? `${record.source}@${requested}` : record.source;
}
