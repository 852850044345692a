// Is the toolchain a build hook needs on this computer? The program the hook starts must be found on
// PATH (or be a file in the plugin); for cargo building wasm32-wasip1, Rust's standard library for
// that target must be installed too. When something is missing, say what and where to get it.
import { execFile } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export const WASM_TARGET = 'wasm32-wasip1';

export interface ToolchainReport {
  /** The program the hook starts (its first word). */
  program: string;
  /** Null when everything is there; otherwise what is missing and how to get it, in plain words. */
  missing: string | null;
}

/** The hook's first word, quotes removed (hooks are split into words as the CLI does). */
export function hookProgram(hook: string): string {
  const m = /^\s*(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(hook);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await fsp.stat(path);
    if (!st.isFile()) return false;
    await fsp.access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `program` on `PATH` (a path with a slash is taken as it is, relative to `cwd`). */
export async function findProgram(
  program: string,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<string | null> {
  if (program.includes('/')) {
    const p = isAbsolute(program) ? program : resolve(cwd, program);
    return (await isExecutable(p)) ? p : null;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, program);
    if (await isExecutable(p)) return p;
  }
  return null;
}

function sysroot(rustc: string, env: Record<string, string | undefined>): Promise<string | null> {
  return new Promise((done) => {
    execFile(rustc, ['--print', 'sysroot'], { env, timeout: 20_000 }, (err, stdout) =>
      done(err ? null : stdout.trim() || null),
    );
  });
}

/** Does the Rust on PATH have the standard library for `target`? */
async function rustHasTarget(
  env: Record<string, string | undefined>,
  cwd: string,
  target: string,
): Promise<boolean> {
  const rustc = env.RUSTC ?? (await findProgram('rustc', env, cwd));
  if (!rustc) return false;
  const root = await sysroot(rustc, env);
  if (!root) return false;
  const names = await fsp.readdir(join(root, 'lib', 'rustlib', target, 'lib')).catch(() => [] as string[]);
  return names.some((n) => n.startsWith('libstd-'));
}

const GET_RUST = 'Get Rust from https://rustup.rs';

/** Checks what `hook` needs, for a plugin in `pluginDir` whose runtime is `runtime`. */
export async function checkToolchain(
  hook: string,
  pluginDir: string,
  runtime: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ToolchainReport> {
  const program = hookProgram(hook);
  if (program === '') return { program, missing: 'the build hook is empty' };
  const inPlugin = await isExecutable(resolve(pluginDir, program));
  const found = inPlugin || (await findProgram(program, env, pluginDir)) !== null;
  const name = program.split('/').pop()!;
  if (name === 'cargo' || name === 'rustc') {
    if (!found)
      return {
        program,
        missing: `Rust is not installed on this computer (no "${name}" was found). ${GET_RUST}, then add the WebAssembly target with: rustup target add ${WASM_TARGET}`,
      };
    const wantsWasm = runtime === 'wasm' || hook.includes(WASM_TARGET);
    if (wantsWasm && !(await rustHasTarget(env, pluginDir, WASM_TARGET)))
      return {
        program,
        missing: `Rust is installed, but not its WebAssembly target ${WASM_TARGET}. Add it with: rustup target add ${WASM_TARGET} (on Debian or Ubuntu without rustup: apt install libstd-rust-dev-wasm32).`,
      };
    return { program, missing: null };
  }
  if (!found)
    return {
      program,
      missing: `The build needs "${program}", which was not found on this computer. Install it (see the plugin's README), then try again.`,
    };
  return { program, missing: null };
}
