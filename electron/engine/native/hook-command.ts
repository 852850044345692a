// How the fledge CLI 1.8 runs a plugin's hooks (build, post_install, post_remove, ...): when
// `<plugin dir>/<hook>` is a file, that file is run; otherwise the hook is split into words and run
// WITHOUT a shell (so `&&`, pipes, quotes and `$VAR` mean nothing). The working directory is the
// plugin folder; the environment gets FLEDGE_PLUGIN_DIR and FLEDGE_REPO_ROOT.
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

export interface HookInvocation {
  file: string;
  args: string[];
}

/** What to execute for `hook` in `pluginDir`; null for a blank hook. */
export function hookInvocation(hook: string, pluginDir: string): HookInvocation | null {
  const text = hook.trim();
  if (text === '') return null;
  const asFile = resolve(pluginDir, text);
  const inside = relative(pluginDir, asFile);
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
    const info = statSync(asFile, { throwIfNoEntry: false });
    if (info?.isFile()) return { file: asFile, args: [] };
  }
  const [file, ...args] = text.split(/\s+/);
  return { file: file!, args };
}

export function hookEnv(base: NodeJS.ProcessEnv, pluginDir: string, repoRoot: string): NodeJS.ProcessEnv {
  return { ...base, FLEDGE_PLUGIN_DIR: pluginDir, FLEDGE_REPO_ROOT: repoRoot };
}
