// Which Node runs the sandbox processes outside Electron: the engine's (browser mode, the app service
// under plain Node, tests), and the CLI's run when FLEDGE_SANDBOX_NODE names another Node than the
// CLI's own (otherwise the CLI keeps its sandbox in its own process, in-process.ts: a trivial run
// costs 115 ms of CPU there, 155 ms in a process on the pinned Node).
//
// A current Node runs wasm faster than Node 20 and is nearer Electron's V8: the pinned Node 26 (V8
// 14.6) runs ruby.wasm's warm engine run in 0.49 s against 0.71 s on Node 20 (Wasmtime: 0.47 s),
// `npm run bench:wasmtime`; its compiled-code cache has an addon built for it (build/native.mjs).
// So a sandbox process is forked on, in this order:
//   1. FLEDGE_SANDBOX_NODE, when it names an existing file (an explicit choice, also for benchmarks);
//   2. the pinned Node from npm: the package `node-<platform>-<arch>` (the binaries the `node` npm
//      package picks per platform) that build/setup.sh installs into build/sandbox-node/ (its own
//      folder: the package puts a `node` in node_modules/.bin, which npm scripts would run on);
//   3. the Node running the engine (process.execPath).
// In Electron the utilityProcess launcher is used instead, on Electron's own V8.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { findUp } from '../../sandbox/find-up.js';

let chosen: string | undefined;

/** The npm package that carries Node's binary for this platform (as the `node` package names them). */
export function pinnedNodePackage(platform = process.platform, arch = process.arch): string {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`;
}

/** The binary of the pinned Node package, if it is installed (build/setup.sh). */
export function pinnedNode(): string | undefined {
  // build/sandbox-node/ of the repository this file is in (find-up.ts: dist/, electron/engine/runs/)
  const project = findUp(import.meta.url, join('build', 'sandbox-node', 'package.json'), 3);
  if (project === undefined) return undefined;
  try {
    const req = createRequire(project);
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

/** FLEDGE_SANDBOX_NODE, when it names an existing file by an absolute path. */
export function explicitSandboxNode(env: Record<string, string | undefined>): string | undefined {
  const explicit = env.FLEDGE_SANDBOX_NODE;
  return explicit && isAbsolute(explicit) && existsSync(explicit) ? explicit : undefined;
}

/** The Node binary for sandbox processes under `env` (see above). */
export function resolveSandboxNode(env: Record<string, string | undefined>): string {
  return explicitSandboxNode(env) ?? pinnedNode() ?? process.execPath;
}

/** The Node binary sandbox processes are forked on; decided once per engine process. */
export function sandboxNode(): string {
  chosen ??= resolveSandboxNode(process.env);
  return chosen;
}
