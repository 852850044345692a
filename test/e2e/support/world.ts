// One self-contained world for an end-to-end test or the screenshots: a fledge config dir, a
// project (a git repository with a README and an uncommitted change), the demo plugin's binaries
// and zips, and the GitHub stand-in with a few published plugins.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../../support/github-stand-in.js';
import {
  compileDemo,
  type DemoCommand,
  type DemoSpec,
  demoFiles,
  demoToml,
  writeFiles,
  zipOf,
  zipSlip,
} from './plugins.js';

export interface World {
  root: string;
  configDir: string;
  project: string;
  bins: Record<DemoCommand, Uint8Array>;
  /** The demo plugin (filesystem, store, exec asked) as a zip. */
  demoZip: Buffer;
  /** demo 1.1.0: asks for more (metadata and the real clock) than 1.0.0. */
  demoV2Zip: Buffer;
  /** A zip that tries to write outside its folder. */
  slipZip: Buffer;
  /** A zip whose plugin.toml has several mistakes. */
  brokenZip: Buffer;
  github: GitHubStandIn;
  close(): Promise<void>;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], {
    cwd,
    stdio: 'pipe',
  });
}

export function makeProject(dir: string, name = 'garden-planner'): string {
  const project = join(dir, name);
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'README.md'), '# Garden planner: when to sow what\n\nNotes.\n');
  writeFileSync(join(project, 'package.json'), '{"name":"garden-planner"}\n');
  git(project, 'init', '-q', '-b', 'main');
  git(project, 'add', '.');
  git(project, 'commit', '-q', '-m', 'first');
  writeFileSync(join(project, 'notes.txt'), 'an uncommitted change\n');
  return project;
}

/** Catalog entries: an official plugin with a prebuilt wasm (v1 asks for little; v2 asks for more) and others. */
function catalogRepos(bins: Record<DemoCommand, Uint8Array>): StandInRepo[] {
  const helloV1 = {
    'plugin.toml': demoToml({
      name: 'sprout',
      version: '1.0.0',
      description: 'Greets you and remembers your name',
      commands: ['greet'],
      capabilities: ['store = true'],
    }),
    'README.md': '# sprout\n',
  };
  return [
    {
      owner: 'CorvidLabs',
      name: 'fledge-sprout',
      description: 'Greets you and remembers your name between runs',
      stars: 412,
      topics: ['fledge-plugin', 'wasm', 'example'],
      files: helloV1,
      releases: [{ tag: 'v1.0.0', files: helloV1, assets: [{ name: 'greet.wasm', content: bins.greet }] }],
    },
    {
      owner: 'someone',
      name: 'fledge-changelog',
      description: 'Writes a changelog from your git history',
      stars: 57,
      topics: ['fledge-plugin', 'git', 'changelog'],
      files: {
        'plugin.toml': demoToml({
          name: 'changelog',
          commands: ['greet'],
          rename: { greet: 'changelog' },
          build: 'cargo build --target wasm32-wasip1 --release',
          capabilities: ['metadata = true'],
        }),
      },
    },
    {
      owner: 'garden-tools',
      name: 'fledge-lint-md',
      description: 'Checks your Markdown files for broken links',
      stars: 9,
      topics: ['fledge-plugin', 'markdown'],
      files: {
        'plugin.toml': demoToml({
          name: 'lint-md',
          commands: ['greet'],
          rename: { greet: 'lint' },
          capabilities: ['filesystem = "project"'],
        }),
      },
      releases: [{ tag: 'v0.3.1', assets: [{ name: 'lint.wasm', content: bins.greet }] }],
    },
  ];
}

/** A second local plugin (its own command names), for the update that asks for more. */
export function weatherSpec(version: string, capabilities: string[]): DemoSpec {
  return {
    name: 'weather',
    version,
    description: 'Tells you if it is a good day to sow',
    commands: ['greet'],
    rename: { greet: 'forecast' },
    capabilities,
  };
}

export async function makeWorld(
  root: string,
  options: { bins?: Record<DemoCommand, Uint8Array> } = {},
): Promise<World & { repos: StandInRepo[] }> {
  const configDir = join(root, 'config');
  mkdirSync(configDir, { recursive: true });
  const project = makeProject(join(root, 'projects'));
  // The demo's binaries take a few seconds of clang: scenarios of one file compile them once.
  const bins = options.bins ?? compileDemo(join(root, 'bins'));
  const demoZip = await zipOf(demoFiles(bins));
  const demoV2Zip = await zipOf(
    demoFiles(bins, {
      version: '1.1.0',
      capabilities: [
        'filesystem = "plugin"',
        'store = true',
        'exec = true',
        'metadata = true',
        'clock = true',
      ],
    }),
  );
  const slipZip = await zipSlip(bins);
  const brokenZip = await zipOf({
    'plugin.toml':
      '[plugin]\nname = "Bad Name!"\nversion = "one"\nruntime = "wasm"\n\n[[commands]]\nname = "go"\nbinary = "../outside.wasm"\n',
  });
  const repos = catalogRepos(bins);
  const github = await startGitHubStandIn({ repos });
  process.env.FLEDGE_GITHUB_API_URL = github.url;
  process.env.FLEDGE_CONFIG_DIR = configDir;
  delete process.env.FLEDGE_GITHUB_TOKEN;
  delete process.env.GITHUB_TOKEN;
  return {
    root,
    configDir,
    project,
    bins,
    demoZip,
    demoV2Zip,
    slipZip,
    brokenZip,
    github,
    repos,
    close: () => github.close(),
  };
}

export { writeFiles };
