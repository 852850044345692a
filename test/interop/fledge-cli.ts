// Running the real fledge CLI (and this project's CLI) side by side in one isolated home: HOME and
// XDG_CONFIG_HOME point at a temp folder, so neither touches the person's own plugins.
import { spawn, spawnSync } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The first `fledge` on PATH (or $FLEDGE_BIN), or null. */
export function findFledge(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.FLEDGE_BIN) return env.FLEDGE_BIN;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'fledge.exe' : 'fledge');
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) return candidate;
  }
  return null;
}

export class Side {
  readonly env: NodeJS.ProcessEnv;
  constructor(
    readonly fledge: string | null,
    readonly home: string,
    readonly cwd: string,
  ) {
    const { FLEDGE_CONFIG_DIR: _drop, ...rest } = process.env;
    this.env = {
      ...rest,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      FLEDGE_NON_INTERACTIVE: '1',
      NO_COLOR: '1',
      CLICOLOR: '0',
    };
  }

  get configDir(): string {
    return join(this.home, '.config', 'fledge');
  }

  /** The real fledge CLI. */
  cli(args: string[], timeoutMs = 120_000): Result {
    if (!this.fledge) throw new Error('no fledge CLI');
    return run(this.fledge, args, this.env, this.cwd, timeoutMs);
  }

  /** The real fledge CLI, started in the background. */
  cliAsync(args: string[]): Promise<Result> {
    if (!this.fledge) throw new Error('no fledge CLI');
    return runAsync(this.fledge, args, this.env, this.cwd);
  }

  /** This project's CLI (dist/cli.cjs, built first). */
  app(args: string[], timeoutMs = 120_000): Result {
    return run(process.execPath, [join(repoRoot, 'dist', 'cli.cjs'), ...args], this.env, this.cwd, timeoutMs);
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeout: number): Result {
  const r = spawnSync(file, args, { env, cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    code: r.status ?? -1,
    stdout: r.stdout ?? '',
    stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
  };
}

function runAsync(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (err) => done({ code: -1, stdout, stderr: `${stderr}${err}` }));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
