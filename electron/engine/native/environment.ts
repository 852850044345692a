// A native plugin's environment, as the fledge CLI 1.8 gives it: the engine's own plus
// FLEDGE_PLUGIN_DIR. A contained plugin has no home folder (HOME is its private /tmp) and does not get
// variables that look like secrets (tokens, passwords, keys: the metadata filter's list), nor ones that
// point at the host's temporary folder or change how programs load code.
import { isSecretEnvName } from '../host/secrets.js';
import type { NativeAccess } from './containment.js';

export function nativeEnv(
  base: NodeJS.ProcessEnv,
  pluginDir: string,
  access: NativeAccess,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (access === 'contained' && (isSecretEnvName(name) || name === 'TMPDIR')) continue;
    env[name] = value;
  }
  if (access === 'contained') env.HOME = '/tmp';
  env.FLEDGE_PLUGIN_DIR = pluginDir;
  return env;
}
