// plugins.toml records a GitHub install's resolved COMMIT as pinned_ref (as the issue asks, and so
// the fledge CLI sees exactly what was installed). What the person asked for (a tag or branch, or
// nothing: "the latest release") is kept here, in <config>/fledge-desktop/github-refs.json, so an
// update follows it: the latest release again, or the same tag/branch, not the old commit forever.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

const fileSchema = z.record(z.string(), z.object({ commit: z.string(), requested: z.string().nullable() }));
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
    pins[name] = { commit, requested };
    await writeFileAtomic(file, `${JSON.stringify(pins, null, 2)}\n`);
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
  const pin = (await readPins(githubRefsFile(configDir)))[record.name];
  if (!pin || !record.pinned_ref || pin.commit !== record.pinned_ref || record.source.includes('@'))
    return null;
  return pin.requested ? `${record.source}@${pin.requested}` : record.source;
}
