// The project context sent in `init`: {name, root, language, git: null | {branch, dirty, remote,
// remote_url}}, as the fledge CLI builds it (src/protocol/detect.rs), with credentials stripped from
// the remote URL.
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { HostError } from './errors.js';
import { lines, runGit } from './git.js';
import { SAFE_GIT_READ } from './metadata.js';
import { stripUrlCredentials } from './secrets.js';

export interface GitContext {
  branch: string;
  dirty: boolean;
  remote: string;
  remote_url: string;
}

export interface ProjectContext {
  name: string;
  root: string;
  language: string;
  git: GitContext | null;
}

/** Marker files, most specific first. The first match names the language; none -> "unknown". */
const MARKERS: [string, string | ((root: string) => Promise<string>)][] = [
  ['Cargo.toml', 'rust'],
  ['go.mod', 'go'],
  [
    'package.json',
    async (root) => ((await exists(join(root, 'tsconfig.json'))) ? 'typescript' : 'javascript'),
  ],
  ['deno.json', 'typescript'],
  ['deno.jsonc', 'typescript'],
  ['pyproject.toml', 'python'],
  ['setup.py', 'python'],
  ['setup.cfg', 'python'],
  ['requirements.txt', 'python'],
  ['Pipfile', 'python'],
  ['Package.swift', 'swift'],
  ['build.zig', 'zig'],
  ['pom.xml', 'java'],
  ['build.gradle.kts', 'kotlin'],
  ['build.gradle', 'java'],
  ['settings.gradle.kts', 'kotlin'],
  ['settings.gradle', 'java'],
  ['Gemfile', 'ruby'],
  ['mix.exs', 'elixir'],
  ['composer.json', 'php'],
  ['pubspec.yaml', 'dart'],
  ['stack.yaml', 'haskell'],
  ['dune-project', 'ocaml'],
  ['CMakeLists.txt', 'cpp'],
  ['meson.build', 'c'],
];

async function exists(path: string): Promise<boolean> {
  return fsp
    .stat(path)
    .then(() => true)
    .catch(() => false);
}

export async function detectLanguage(root: string): Promise<string> {
  for (const [file, lang] of MARKERS) {
    if (await exists(join(root, file))) return typeof lang === 'string' ? lang : await lang(root);
  }
  // .NET projects name their project file after the project.
  const names = await fsp.readdir(root).catch(() => [] as string[]);
  if (names.some((n) => /\.(csproj|sln)$/i.test(n))) return 'csharp';
  if (names.some((n) => /\.fsproj$/i.test(n))) return 'fsharp';
  return 'unknown';
}

/** Git facts of a folder, or null if it is not inside a git work tree (or git is missing). */
export async function detectGit(root: string, timeoutMs = 10_000): Promise<GitContext | null> {
  const git = (args: string[]) =>
    runGit([...SAFE_GIT_READ, ...args], { cwd: root, timeoutMs }).catch(() => null);
  const inside = await git(['rev-parse', '--is-inside-work-tree']);
  if (!inside?.ok || inside.stdout.trim() !== 'true') return null;
  const [head, status, remotes] = await Promise.all([
    git(['rev-parse', '--abbrev-ref', 'HEAD']),
    git(['status', '--porcelain']),
    git(['remote']),
  ]);
  // A repository without commits has no HEAD to resolve: name the branch HEAD points at.
  let branch = head?.ok ? head.stdout.trim() : '';
  if (!branch) {
    const sym = await git(['symbolic-ref', '--short', 'HEAD']);
    branch = sym?.ok ? sym.stdout.trim() : 'HEAD';
  }
  const names = remotes?.ok ? lines(remotes.stdout) : [];
  const remote = names.includes('origin') ? 'origin' : (names[0] ?? 'origin');
  let remoteUrl = '';
  if (names.length > 0) {
    const url = await git(['remote', 'get-url', remote]);
    if (url?.ok) remoteUrl = stripUrlCredentials(url.stdout.trim());
  }
  return { branch, dirty: !!status?.ok && status.stdout.trim().length > 0, remote, remote_url: remoteUrl };
}

/** The `project` of `init` for a project folder (its real path). */
export async function projectContext(root: string): Promise<ProjectContext> {
  let real: string;
  try {
    real = await fsp.realpath(root);
  } catch {
    throw new HostError('project_missing', `The project folder ${root} does not exist.`);
  }
  const st = await fsp.stat(real);
  if (!st.isDirectory()) throw new HostError('project_not_folder', `${root} is not a folder.`);
  const [language, git] = await Promise.all([detectLanguage(real), detectGit(real)]);
  return { name: basename(real) || real, root: real, language, git };
}
