// dist/fledge-desktop: the CLI's launcher, written by build/bundle.mjs at every build. It starts
// dist/cli.cjs on the pinned Node (electron/engine/runs/sandbox-node.ts) when that is installed and
// the build could give it the file lock (build/native.mjs), else on the Node that built it.
// Why a current Node: Node 20 reads NODE_EXTRA_CA_CERTS at every start and starts a worker slower; a
// trivial run costs ~0.72x the CPU on the pinned Node 26 (test/bench/trivial-run.ts). Why a shell
// script: a launcher in Node would pay one Node's start before the other's.
// On Windows (where the project's scripts need a bash anyway) a .cmd beside it does the same.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export const LAUNCHER = 'fledge-desktop';

/** `node` relative to dist/ when it is inside `root` (the checkout can move), else undefined. */
function relativeNode(node, { root, dist }) {
  const rel = relative(dist, node);
  return !isAbsolute(rel) && !relative(root, node).startsWith('..') ? rel : undefined;
}

/** `text` in single quotes for sh (a quote inside as '\''). */
const shQuote = (text) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The POSIX launcher for a dist folder: `node` is the Node binary, named relative to the launcher's
 * folder when it is inside `root`, else by its absolute path. Follows links to itself, so a link to
 * it on PATH works.
 */
export function launcherText(node, { root, dist, about }) {
  const rel = relativeNode(node, { root, dist });
  const nodeWord = rel ? `"$dist"/${shQuote(rel.split(sep).join('/'))}` : shQuote(node);
  return [
    '#!/bin/sh',
    '# The fledge-desktop CLI, written by build/bundle.mjs (build/cli-launcher.mjs) at every build. It',
    `# runs on ${about}.`,
    'self=$0',
    'while [ -L "$self" ]; do',
    '  link=$(readlink -- "$self")',
    '  case $link in',
    '    /*) self=$link ;;',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a template
    '    *) case $self in */*) self=${self%/*}/$link ;; *) self=$link ;; esac ;;',
    '  esac',
    'done',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a template
    'case $self in */*) dist=${self%/*} ;; *) dist=. ;; esac',
    `exec ${nodeWord} "$dist/cli.cjs" "$@"`,
    '',
  ].join('\n');
}

/** The Windows launcher: the same, for cmd.exe (%~dp0 is its folder, with a trailing backslash). */
export function launcherCmdText(node, { root, dist, about }) {
  const rel = relativeNode(node, { root, dist });
  const nodePath = rel ? `%~dp0${rel.replaceAll('/', '\\')}` : node;
  return `@rem The fledge-desktop CLI on ${about}. Written by build/bundle.mjs at every build.\r\n@"${nodePath}" "%~dp0cli.cjs" %*\r\n`;
}

/** Writes dist/fledge-desktop (and .cmd on Windows) for `node`; `about` says which Node it is. */
export function writeCliLauncher({ root, dist, node, about, platform = process.platform }) {
  const file = join(dist, LAUNCHER);
  writeFileSync(file, launcherText(node, { root, dist, about }));
  chmodSync(file, 0o755);
  const cmd = `${file}.cmd`;
  if (platform === 'win32') writeFileSync(cmd, launcherCmdText(node, { root, dist, about }));
  else rmSync(cmd, { force: true });
  return file;
}
