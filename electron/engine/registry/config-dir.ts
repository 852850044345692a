// Where fledge keeps its configuration, exactly as the fledge CLI finds it (Rust's dirs::config_dir()
// + "fledge"), with FLEDGE_CONFIG_DIR overriding it (tests always set it).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface ConfigDirInput {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
}

export function resolveConfigDir(
  input: ConfigDirInput = { env: process.env, platform: process.platform, home: homedir() },
): string {
  const { env, platform, home } = input;
  const override = env.FLEDGE_CONFIG_DIR;
  if (override !== undefined && override !== '') return resolve(override);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'fledge');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'fledge');
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.config'), 'fledge');
}

/** The files and folders under the config dir, named as the CLI names them. */
export interface FledgePaths {
  configDir: string;
  registryFile: string;
  pluginsDir: string;
}

export function fledgePaths(configDir: string = resolveConfigDir()): FledgePaths {
  return { configDir, registryFile: join(configDir, 'plugins.toml'), pluginsDir: join(configDir, 'plugins') };
}
