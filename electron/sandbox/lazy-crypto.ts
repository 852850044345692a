// node:crypto, loaded at first use. On Node 26 (the pinned Node the CLI runs on) loading it costs
// ~17 ms of CPU (its argon2, key and X.509 modules come with it), and the main thread of a CLI run
// of a plugin folder needs none of it: only the sandbox worker checks HMACs. Modules on that thread's
// way (the run path, the plugin store's atomic writes, the registry, the consent store) take it from
// here instead of importing it.
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';

let loaded: typeof Crypto | undefined;

export function nodeCrypto(): typeof Crypto {
  loaded ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto;
  return loaded;
}
