// `run <plugin-dir> [options] [-- ARGS...]`: runs a WASM plugin command in the sandbox.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Capabilities, parseGrantList } from '../../../shared/capabilities.js';
import type { PluginCommand, PluginManifest } from '../../../shared/manifest/types.js';
import { HostError } from '../../engine/host/errors.js';
import { projectContext } from '../../engine/host/project.js';
import { loadManifest } from '../../engine/manifest/load-manifest.js';
import { fledgePaths } from '../../engine/registry/config-dir.js';
import { RegistryError } from '../../engine/registry/plugins-toml.js';
import { cliSandboxMode, InProcessSandboxLauncher } from '../../engine/runs/in-process.js';
import { DEFAULT_LIMITS, NodeSandboxLauncher, type Run, RunManager } from '../../engine/runs/index.js';
import { codeCachePoint } from '../../sandbox/code-cache-point.js';
import type { RunEvent } from '../../sandbox/protocol.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, type CliIO, PROGRAM, UsageError } from '../command.js';
import { configDirFor } from './service.js';

const USAGE = `Usage: ${PROGRAM} run <plugin-dir | installed plugin or command name> [options] [-- ARGS...]

Runs a WASM plugin command in its own sandbox process, with fledge's limits (fuel, wall clock,
memory) and only the capabilities granted. ARGS after -- reach the plugin in its init message.

A native plugin (runtime = "native") is a program that runs as you. It runs as the fledge CLI runs
it (fledge-v1 over stdin/stdout, or a plain command with ARGS on argv), with the wall clock, and
contained where this computer allows it (Linux with bubblewrap: read-only project, no home folder,
no network unless granted); elsewhere it runs with full access and says so.

An installed plugin (found by its name or one of its command names in plugins.toml) runs with the
grants recorded at install, in the current directory's project, and only while its approval holds
(a wasm changed on disk since must be approved again). A plugin directory (a path) runs with what
--grant gives, and no project unless --project says.
An installed plugin also gets the limits set for it in Fledge Desktop (else the settings' defaults),
and does not run while disabled there; --fuel, --timeout-ms and --memory-mb may not exceed the
settings' ceilings.

Options:
  --command NAME      the command to run (default: the one named, else the first in plugin.toml)
  --project DIR       the project the plugin works on
  --grant LIST        all | none | a comma list of exec,store,metadata,filesystem,network,clock,random
                      (a plugin directory: default none; an installed plugin: narrows its recorded
                      grants, never widens them; a grant never exceeds what plugin.toml declares)
  --fuel N            compute budget in fuel units (default ${DEFAULT_LIMITS.fuel})
  --timeout-ms N      wall-clock limit in ms, also while waiting for answers (default ${DEFAULT_LIMITS.timeoutMs})
  --memory-mb N       wasm memory cap in MiB (default ${DEFAULT_LIMITS.memoryMb})
  --answers FILE      answers to the plugin's questions: a JSON object, request id -> value
  --full-access       a native plugin: run it without containment, with all your permissions
                      (an installed one also runs so once "plugins grant NAME full-access" allowed it)
  --json              one JSON event per line on stdout, ending with
                      {"type":"exit","code":N,"reason":"...","message":"...","fuel_used":N,"duration_ms":N}

Questions (prompt, confirm, select, multi_select) are answered from --answers first, else asked on
the terminal. With neither, the run ends at once with reason "error" and a message naming the
question, so a script never hangs.
Plain mode: the plugin's output goes to stdout, logs, progress and its stderr to stderr.
Exit code: the plugin's exit code; 1 when it ran out of fuel, time or memory, trapped, crashed or
could not be run (130 when cancelled with Ctrl-C); 2 wrong usage.
`;

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) <= 0)
    throw new UsageError(`${name} must be a positive whole number`);
  return Number(text);
}

function snake(event: RunEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}

/** Asks a request on the terminal and turns the typed line into the value the protocol expects. */
async function askOnTerminal(io: CliIO, req: RunEvent & { type: 'request' }): Promise<unknown> {
  const ask = io.ask!;
  const options = req.options ?? [];
  switch (req.kind) {
    case 'confirm': {
      const def = req.default === true;
      const line = (await ask(`${req.message} [${def ? 'Y/n' : 'y/N'}] `)).trim().toLowerCase();
      return line === '' ? def : line === 'y' || line === 'yes';
    }
    case 'select': {
      for (const [i, o] of options.entries()) io.stderr(`  ${i + 1}) ${o}\n`);
      const def = typeof req.default === 'number' ? req.default : 0;
      const line = (await ask(`${req.message} [${def + 1}] `)).trim();
      const n = line === '' ? def + 1 : Number(line);
      return options[n - 1] ?? (options.includes(line) ? line : (options[def] ?? line));
    }
    case 'multi_select': {
      for (const [i, o] of options.entries()) io.stderr(`  ${i + 1}) ${o}\n`);
      const defs = req.defaults ?? [];
      const line = (
        await ask(`${req.message} (numbers, comma-separated) [${defs.map((d) => d + 1).join(',')}] `)
      ).trim();
      const picks = line === '' ? defs : line.split(',').map((s) => Number(s.trim()) - 1);
      return picks.map((i) => options[i]).filter((o): o is string => o !== undefined);
    }
    default: {
      const def = typeof req.default === 'string' ? req.default : '';
      const line = await ask(`${req.message}${def ? ` [${def}]` : ''} `);
      return line === '' ? def : line;
    }
  }
}

interface RunTarget {
  pluginDir: string;
  manifest: PluginManifest;
  command: PluginCommand;
  grants: Capabilities;
  /** The project to use when --project is not given (null: none). */
  defaultProject: string | null;
  /** A native plugin the person allowed full access (recorded per plugin). */
  fullAccess: boolean;
  /** The installed plugin's name (null for a plugin directory): Fledge Desktop's limits and enabled apply. */
  installed: string | null;
  /** The approved SHA-256 of each binary (installed plugins): only those bytes are run. */
  approvedSha256: Record<string, string>;
}

function isPath(target: string): boolean {
  return target.includes('/') || target.includes('\\') || target === '.' || target === '..';
}

/** A plugin directory, or an installed plugin by name or command name (with its recorded grants). */
async function resolveTarget(
  target: string,
  values: { command?: string; grant?: string },
  io: CliIO,
): Promise<RunTarget> {
  const fail = (message: string) => new HostError('run_target', message);
  const dir = resolve(io.cwd, target);
  const asDir = isPath(target) || (await stat(join(dir, 'plugin.toml')).catch(() => null)) !== null;
  let manifest: PluginManifest;
  let pluginDir: string;
  let declaredGrants: Capabilities;
  let commandName = values.command;
  let defaultProject: string | null = null;
  let fullAccess = false;
  let installed: string | null = null;
  let approvedSha256: Record<string, string> = {};
  if (asDir) {
    const report = await loadManifest(dir);
    if (!report.manifest)
      throw fail(
        `${report.pluginDir} is not a valid plugin: ${report.errors.map((e) => e.message).join('; ')}`,
      );
    manifest = report.manifest;
    pluginDir = report.pluginDir;
    declaredGrants = manifest.capabilities;
  } else {
    // Loaded only here: a plugin directory's run needs none of the registry or consent code.
    const { resolveRunnable } = await import('../../engine/plugins/resolve-runnable.js');
    const runnable = await resolveRunnable(fledgePaths(configDirFor(io)), target);
    manifest = runnable.manifest;
    pluginDir = runnable.pluginDir;
    declaredGrants = runnable.granted;
    commandName ??= runnable.command;
    defaultProject = io.cwd;
    installed = runnable.name;
    approvedSha256 = runnable.approvedSha256;
    if (manifest.runtime === 'native')
      fullAccess = await (await import('../../engine/native/access-store.js')).hasFullAccess(
        configDirFor(io),
        runnable.name,
        pluginDir,
      );
  }
  const command = commandName ? manifest.commands.find((c) => c.name === commandName) : manifest.commands[0];
  if (!command)
    throw fail(
      `plugin '${manifest.name}' has no command "${commandName}" (it has: ${manifest.commands.map((c) => c.name).join(', ')})`,
    );
  let grants: Capabilities;
  try {
    // For an installed plugin `declaredGrants` is its recorded grant: --grant can only narrow it.
    grants =
      asDir || values.grant !== undefined
        ? parseGrantList(values.grant ?? 'none', declaredGrants)
        : declaredGrants;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { pluginDir, manifest, command, grants, defaultProject, fullAccess, installed, approvedSha256 };
}

/** What an installed plugin's run reads of Fledge Desktop's settings: its limits, and whether it is enabled. */
export type RunLimitsReader = typeof import('../../engine/app/run-policy.js').cliRunLimits;

/**
 * `run`, reading an installed plugin's settings with what `loadRunLimits` loads: the settings code
 * (zod's schemas) is most of the CLI's JavaScript, and a plugin directory's run needs none of it, so each
 * bundle says where it comes from (run-command.ts for the whole CLI, run-main.ts for the run bundle).
 */
export function makeRunCommand(loadRunLimits: () => Promise<RunLimitsReader>): CliCommand {
  return {
    name: 'run',
    summary: 'run a plugin command (WASM in the sandbox; native contained where possible)',
    usage: USAGE,
    async run(argv, io) {
      const dash = argv.indexOf('--');
      const pluginArgs = dash === -1 ? [] : argv.slice(dash + 1);
      const { values, positionals } = parseCommandArgs(
        dash === -1 ? argv : argv.slice(0, dash),
        {
          command: { type: 'string' },
          project: { type: 'string' },
          grant: { type: 'string' },
          fuel: { type: 'string' },
          'timeout-ms': { type: 'string' },
          'memory-mb': { type: 'string' },
          answers: { type: 'string' },
          'full-access': { type: 'boolean' },
          json: { type: 'boolean' },
        },
        { min: 1, max: 1, names: ['<plugin-dir or name>'] },
      );
      const json = values.json === true;
      const print = (event: Record<string, unknown>) => io.stdout(`${JSON.stringify(event)}\n`);
      const failEarly = (message: string): number => {
        if (json) print({ type: 'exit', code: 1, reason: 'error', message, fuel_used: 0, duration_ms: 0 });
        else io.stderr(`${PROGRAM} run: ${message}\n`);
        return 1;
      };

      let fuel: bigint | undefined;
      if (values.fuel !== undefined) {
        if (!/^\d+$/.test(values.fuel) || BigInt(values.fuel) <= 0n)
          throw new UsageError('--fuel must be a positive whole number');
        fuel = BigInt(values.fuel);
      }
      const timeoutMs = positiveInt('--timeout-ms', values['timeout-ms']);
      const memoryMb = positiveInt('--memory-mb', values['memory-mb']);

      let answers: Record<string, unknown> = {};
      if (values.answers !== undefined) {
        try {
          const parsed = JSON.parse(await readFile(resolve(io.cwd, values.answers), 'utf8'));
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('not a JSON object');
          answers = parsed;
        } catch (err) {
          return failEarly(`cannot use the answers file ${values.answers}: ${(err as Error).message}`);
        }
      }

      let target: RunTarget;
      try {
        target = await resolveTarget(positionals[0]!, values, io);
      } catch (err) {
        if (err instanceof HostError || err instanceof RegistryError) return failEarly(err.message);
        throw err;
      }
      const { manifest, pluginDir, command, grants } = target;
      let project = null;
      const projectDir = values.project ?? target.defaultProject;
      if (projectDir !== null) {
        try {
          project = await projectContext(resolve(io.cwd, projectDir));
        } catch (err) {
          return failEarly(`cannot use the project ${projectDir}: ${(err as Error).message}`);
        }
      }

      // A big module's run goes to the pinned Node (in-process.ts: cliSandboxMode says when and why).
      const binaryBytes =
        manifest.runtime === 'wasm'
          ? ((await stat(resolve(pluginDir, command.binary)).catch(() => null))?.size ?? 0)
          : 0;
      codeCachePoint();
      // One run, then the CLI exits: its sandbox runs in this process (in-process.ts says what that keeps).
      const writeCodeCache = io.env.FLEDGE_CLI_CODE_CACHE === 'write'; // the build's run (bundle.mjs)
      const manager = new RunManager({
        poolSize: 0,
        launcher:
          cliSandboxMode(io.env, binaryBytes) === 'in-process'
            ? new InProcessSandboxLauncher({ writeCodeCache })
            : new NodeSandboxLauncher({ writeCodeCache }),
      });
      let run: Run;
      try {
        const limits: { fuel?: bigint; timeoutMs?: number; memoryMb?: number } = {};
        if (fuel !== undefined) limits.fuel = fuel;
        if (timeoutMs !== undefined) limits.timeoutMs = timeoutMs;
        if (memoryMb !== undefined) limits.memoryMb = memoryMb;
        if (target.installed) {
          const cliRunLimits = await loadRunLimits();
          Object.assign(limits, cliRunLimits(configDirFor(io), target.installed, limits));
        }
        run = manager.start({
          plugin: {
            name: manifest.name,
            version: manifest.version,
            dir: pluginDir,
            declared: manifest.capabilities,
          },
          command: command.name,
          binary: command.binary,
          // What the consent check approved is exactly what runs (a swapped binary is refused).
          ...(target.approvedSha256[command.binary] !== undefined
            ? { binarySha256: target.approvedSha256[command.binary] }
            : {}),
          args: pluginArgs,
          project,
          grants,
          limits,
          ...(manifest.runtime === 'native'
            ? {
                native: {
                  protocol: manifest.protocol === 'fledge-v1',
                  access: values['full-access'] === true || target.fullAccess ? 'full' : 'auto',
                } as const,
              }
            : {}),
        });
      } catch (err) {
        await manager.close();
        return failEarly((err as Error).message);
      }

      // Questions are handled one at a time, in order.
      let questions: Promise<void> = Promise.resolve();
      const handleRequest = (req: RunEvent & { type: 'request' }) => {
        questions = questions.then(async () => {
          if (run.done) return;
          if (Object.hasOwn(answers, req.id)) {
            run.answer(req.id, answers[req.id]);
          } else if (io.isTTY && io.ask) {
            run.answer(req.id, await askOnTerminal(io, req));
          } else {
            run.abort(
              `Plugin '${manifest.name}' asked "${req.message}" (request id "${req.id}"), but there is no one to answer: ` +
                `run it on a terminal, or give the answer with --answers FILE (a JSON object such as {"${req.id}": ...}).`,
            );
          }
        });
      };

      run.subscribe((events) => {
        for (const e of events) {
          if (json) {
            if (e.type !== 'exit') print(snake(e));
          } else {
            switch (e.type) {
              case 'output':
                io.stdout(e.text);
                break;
              case 'log':
                io.stderr(`[${e.level}] ${e.message}\n`);
                break;
              case 'progress':
                if (e.done) break;
                io.stderr(
                  `... ${e.message ?? ''}${e.current !== undefined ? ` (${e.current}${e.total !== undefined ? `/${e.total}` : ''})` : ''}\n`,
                );
                break;
              case 'stderr':
                io.stderr(`${e.line}\n`);
                break;
              case 'exec':
                io.stderr(`$ ${e.command} (exit ${e.code})\n`);
                break;
              default:
                break;
            }
          }
          if (e.type === 'request') handleRequest(e);
        }
      });

      const onSigint = () => run.cancel();
      process.once('SIGINT', onSigint);
      const end = await run.ended;
      process.removeListener('SIGINT', onSigint);
      await manager.close();

      if (json)
        print({
          type: 'exit',
          code: end.code,
          reason: end.reason,
          message: end.message,
          fuel_used: end.fuelUsed,
          duration_ms: end.durationMs,
        });
      else if (end.reason !== 'exit' || end.code !== 0) io.stderr(`${end.message}\n`);
      if (end.reason !== 'exit') return end.code === 0 ? 1 : end.code;
      return end.code === 0 ? 0 : end.code & 0xff || 1;
    },
  };
}
