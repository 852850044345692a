// What the person typed as a plugin source, classified: a local folder (copied), a local archive
// (.zip/.tar.gz/.tgz/.tar, unpacked), or a git repository (owner/repo[@ref] on GitHub, an https/ssh
// URL, git@host:path, or a local path to a repository, bare or not; cloned).
//
// A local folder that holds a plugin.toml is COPIED (what you see is what gets installed, build
// output included), even if it is a git work tree. A local folder without plugin.toml that is a git
// repository (a bare one, typically) is CLONED. `git+file:///path` forces a clone.
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { HostError } from '../host/errors.js';
import { stripUrlCredentials } from '../host/secrets.js';
import { type ArchiveFormat, archiveFormatOf } from './archive.js';

export type PluginSource =
  | { kind: 'directory'; path: string; spec: string }
  | { kind: 'archive'; path: string; format: ArchiveFormat; spec: string }
  | {
      kind: 'git';
      /** What git clones: a URL or a local path. */
      url: string;
      ref: string | null;
      /** A local repository (trust tier `local`). */
      local: boolean;
      spec: string;
    };

/** The CLI's parse_source_ref: `base@ref`, where ref has no '/', and `git@host:...` keeps its user. */
export function splitRef(spec: string): { base: string; ref: string | null } {
  if (spec.startsWith('git@')) {
    const rest = spec.slice(4);
    const at = rest.lastIndexOf('@');
    if (at >= 0 && at < rest.length - 1) return { base: spec.slice(0, 4 + at), ref: rest.slice(at + 1) };
    return { base: spec, ref: null };
  }
  const at = spec.lastIndexOf('@');
  if (at > 0 && at < spec.length - 1) {
    const ref = spec.slice(at + 1);
    if (!ref.includes('/')) return { base: spec.slice(0, at), ref };
  }
  return { base: spec, ref: null };
}

const REF_RE = /^[A-Za-z0-9._][A-Za-z0-9._+-]*$/;
const SHORTHAND_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

export function validateRef(ref: string): string {
  if (!REF_RE.test(ref) || ref.includes('..') || ref.endsWith('.lock')) {
    throw new HostError('source_bad_ref', `"${ref}" is not a valid git branch, tag or commit name.`);
  }
  return ref;
}

async function statOrNull(path: string) {
  return fsp.stat(path).catch(() => null);
}

async function isGitRepository(dir: string): Promise<boolean> {
  if (await statOrNull(join(dir, '.git'))) return true;
  // A bare repository: HEAD, objects/ and refs/ at its top.
  const [head, objects, refs] = await Promise.all(
    ['HEAD', 'objects', 'refs'].map((n) => statOrNull(join(dir, n))),
  );
  return !!head?.isFile() && !!objects?.isDirectory() && !!refs?.isDirectory();
}

function looksLikePath(spec: string): boolean {
  return (
    isAbsolute(spec) ||
    spec.startsWith('./') ||
    spec.startsWith('../') ||
    spec === '.' ||
    spec === '..' ||
    spec.startsWith('~/') ||
    /^[A-Za-z]:[\\/]/.test(spec)
  );
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/**
 * Classifies a source. `cwd` resolves relative paths (default process.cwd()). Throws a HostError
 * with a message for the person when the source is none of the accepted kinds.
 */
export async function parseSource(input: string, cwd: string = process.cwd()): Promise<PluginSource> {
  const spec = typeof input === 'string' ? input.trim() : '';
  if (spec === '') throw new HostError('source_empty', 'No plugin source was given.');
  if (/[\u0000-\u001f]/.test(spec))
    throw new HostError('source_bad', 'The plugin source contains control characters.');
  if (spec.startsWith('-')) throw new HostError('source_bad', `"${spec}" is not a plugin source.`);

  if (spec.startsWith('git+file://') || spec.startsWith('file://')) {
    const { base, ref } = splitRef(spec.replace(/^git\+/, ''));
    const path = decodeURIComponent(new URL(base).pathname);
    if (!(await statOrNull(path))?.isDirectory()) {
      throw new HostError('source_not_found', `There is no git repository at ${path}.`);
    }
    return { kind: 'git', url: path, ref: ref ? validateRef(ref) : null, local: true, spec };
  }

  if (/^(https|ssh|git):\/\//i.test(spec) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(spec)) {
    const { base, ref } = splitRef(spec);
    if (/^git:\/\//i.test(base)) {
      throw new HostError(
        'source_insecure',
        'The git:// protocol is not encrypted or authenticated; use an https:// or ssh address instead.',
      );
    }
    return { kind: 'git', url: base, ref: ref ? validateRef(ref) : null, local: false, spec };
  }
  if (/^http:\/\//i.test(spec)) {
    throw new HostError(
      'source_insecure',
      `Plain http is not accepted for plugins (anyone on the network could change what you get); use https:// (${stripUrlCredentials(spec).replace(/^http:/i, 'https:')}).`,
    );
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(spec) || /^ext::/.test(spec)) {
    throw new HostError(
      'source_bad',
      `"${stripUrlCredentials(spec)}" uses a kind of address that is not supported.`,
    );
  }

  // A path on this machine: explicit, or an existing file/folder relative to cwd.
  const { base: pathBase, ref: pathRef } = splitRef(spec);
  const candidates = looksLikePath(spec)
    ? [resolve(cwd, expandHome(spec)), ...(pathRef ? [resolve(cwd, expandHome(pathBase))] : [])]
    : [resolve(cwd, spec), ...(pathRef ? [resolve(cwd, pathBase)] : [])];
  for (const path of candidates) {
    const st = await statOrNull(path);
    if (!st) continue;
    const ref = path === candidates[0] ? null : pathRef;
    if (st.isFile()) {
      const format = archiveFormatOf(path);
      if (!format) {
        throw new HostError(
          'source_bad',
          `${path} is a file but not an archive this app can install from (use .zip, .tar.gz, .tgz or .tar).`,
        );
      }
      if (ref)
        throw new HostError('source_bad', 'An archive has no branches or tags; remove the "@..." part.');
      return { kind: 'archive', path, format, spec };
    }
    if (st.isDirectory()) {
      const hasManifest = !!(await statOrNull(join(path, 'plugin.toml')))?.isFile();
      if (!hasManifest && (await isGitRepository(path))) {
        return { kind: 'git', url: path, ref: ref ? validateRef(ref) : null, local: true, spec };
      }
      if (ref) {
        throw new HostError(
          'source_bad',
          `${path} is a plain folder, so "@${ref}" means nothing; remove it.`,
        );
      }
      return { kind: 'directory', path, spec };
    }
    throw new HostError('source_bad', `${path} is neither a folder nor an archive.`);
  }
  if (looksLikePath(spec))
    throw new HostError('source_not_found', `Nothing exists at ${resolve(cwd, expandHome(pathBase))}.`);

  // owner/repo[@ref] on GitHub, as the CLI reads it.
  const { base, ref } = splitRef(spec);
  const short = base.replace(/\.git$/, '');
  if (SHORTHAND_RE.test(short)) {
    return {
      kind: 'git',
      url: `https://github.com/${short}.git`,
      ref: ref ? validateRef(ref) : null,
      local: false,
      spec,
    };
  }
  throw new HostError(
    'source_bad',
    `"${spec}" is not a plugin source. Use a folder, a .zip/.tar.gz file, owner/repo[@ref], or a git URL.`,
  );
}

/** How a source is written into plugins.toml `source` (the CLI stores the base, without @ref, without credentials). */
export function recordedSource(source: PluginSource): string {
  switch (source.kind) {
    case 'directory':
    case 'archive':
      return source.path;
    case 'git': {
      // The fledge CLI records a file:// URL as typed, without @ref (a path would read as "local" to it).
      if (source.local && source.spec.startsWith('file://')) return splitRef(source.spec).base;
      if (source.local) return source.url;
      const { base } = splitRef(source.spec);
      return stripUrlCredentials(base);
    }
  }
}
