// The app's own small JSON records under <config>/fledge-desktop (full-access choices, approved hook
// texts): read whole, changed under a lock, written atomically. A missing or damaged file reads as
// `{}`: a record that cannot be read grants nothing.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

export function appFile(configDir: string, name: string): string {
  return join(configDir, 'fledge-desktop', name);
}

/** The file's top-level object, or {} when it is missing, damaged or not an object. */
export async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  try {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Read (with `parse`), change, write back: under the file's lock. */
export async function updateJsonFile<T extends object>(
  file: string,
  parse: (raw: Record<string, unknown>) => T,
  change: (data: T) => void,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await withFileLock(`${file}.lock`, async () => {
    const data = parse(await readJsonObject(file));
    change(data);
    await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
  });
}
