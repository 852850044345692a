// What the plugin-management commands share: the config dir from the CLI's environment, and
// turning an engine error into a message and exit code 1.
import { HostError } from '../../engine/host/errors.js';
import { resolveConfigDir } from '../../engine/registry/config-dir.js';
import { RegistryError } from '../../engine/registry/plugins-toml.js';
import type { CliIO } from '../command.js';

export function configDirFor(io: CliIO): string {
  return resolveConfigDir({ env: io.env, platform: process.platform, home: io.env.HOME ?? io.cwd });
}

export async function reportHostError(io: CliIO, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof HostError || err instanceof RegistryError) {
      io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
