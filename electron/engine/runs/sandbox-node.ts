// Which Node runs the sandbox processes outside Electron (browser mode, tests, and the CLI's run when
// that Node is not the CLI's own: otherwise the CLI keeps its sandbox in its own process, in-process.ts).
//
// A current Node starts faster and runs wasm faster than Node 20 (measured by `npm run
// bench:wasmtime`): Node 24 starts a process in ~15 ms of CPU against ~45 ms, and its V8 (13.6) is
// closer to Electron's. So a sandbox process is forked on, in this order:
//   1. FLEDGE_SANDBOX_NODE, when it names an existing file (an explicit choice, also for benchmarks);
//   2. a pinned Node from npm installed beside the app: the package `node-<platform>-<arch>` (the
//      binaries the `node` npm package picks per platform), when it resolves from here;
//   3. the Node running the engine (process.execPath).
// In Electron the utilityProcess launcher is used instead, on Electron's own V8.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';

let chosen: string | undefined;

/** The npm package that carries Node's binary for this platform (as the `node` package names them). */
export function pinnedNodePackage(platform = process.platform, arch = process.arch): string {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`;
}

/** The binary of the pinned Node package, if it is installed where the engine can resolve it. */
export function pinnedNode(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const pkgFile = req.resolve(`${pinnedNodePackage()}/package.json`);
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> };
    const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.node;
    if (!rel) return undefined;
    const bin = join(dirname(pkgFile), rel);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** The Node binary for sandbox processes under `env` (see above). */
export function resolveSandboxNode(env: Record<string, string | undefined>): string {
  const explicit = env.FLEDGE_SANDBOX_NODE;
  if (explicit && isAbsolute(explicit) && existsSync(explicit)) return explicit;
  return pinnedNode() ?? process.execPath;
}

/** The Node binary sandbox processes are forked on; decided once per engine process. */
export function sandboxNode(): string {
  chosen ??= resolveSandboxNode(process.env);
  return chosen;
}
