// What the installer tests share: a config dir to install into, a plugin folder on disk, and
// catching the installer's refusal.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HostError } from '../../electron/engine/host/errors.js';
import { tempDir } from '../host/helpers.js';
import { manifestVersion } from './archives.js';

/** A temp base folder with an empty `config/plugins` to install into. */
export function world() {
  const base = tempDir();
  const pluginsDir = join(base, 'config', 'plugins');
  mkdirSync(pluginsDir, { recursive: true });
  return { base, pluginsDir };
}

/** A valid native plugin folder at `at`: plugin.toml and an executable bin/demo.sh. */
export function makePluginDir(at: string, version = '0.1.0'): string {
  mkdirSync(join(at, 'bin'), { recursive: true });
  writeFileSync(join(at, 'plugin.toml'), manifestVersion(version));
  writeFileSync(join(at, 'bin', 'demo.sh'), '#!/bin/sh\necho demo\n');
  chmodSync(join(at, 'bin', 'demo.sh'), 0o755);
  return at;
}

/** The HostError `p` rejects with (fails the test if it resolves or rejects with anything else). */
export async function refusal(p: Promise<unknown>): Promise<HostError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostError);
  return err as HostError;
}
