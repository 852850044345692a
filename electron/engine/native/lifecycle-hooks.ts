// The lifecycle hooks the app runs: `post_install` after an install and `post_remove` before a
// removal, each only when the person approved its exact text (recorded at install in
// <config>/fledge-desktop/hook-approvals.json; a hook whose text changed since is not run). They run
// as the fledge CLI 1.8 runs hooks (hook-command.ts). `pre_init`, `post_work_start` and `pre_push`
// belong to CLI workflows (fledge init / work start / push) the app does not have.
import type { HookName, PluginManifest } from '../../../shared/manifest/types.js';
import { visibleText } from '../../../shared/manifest/visible.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { runBuildHook } from '../plugins/build-hook.js';
import { appFile, readJsonObject, updateJsonFile } from './app-json-file.js';

export const LIFECYCLE_HOOKS = ['post_install', 'post_remove'] as const satisfies readonly HookName[];
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];
const HOOK_TIMEOUT_MS = 5 * 60 * 1000;

type Approvals = Record<string, Partial<Record<LifecycleHook, string>>>;

function approvalsFile(configDir: string): string {
  return appFile(configDir, 'hook-approvals.json');
}

function parse(data: Record<string, unknown>): Approvals {
  const out: Approvals = {};
  for (const [name, rec] of Object.entries(data)) {
    if (typeof rec !== 'object' || rec === null) continue;
    const hooks: Partial<Record<LifecycleHook, string>> = {};
    for (const hook of LIFECYCLE_HOOKS) {
      const text = (rec as Record<string, unknown>)[hook];
      if (typeof text === 'string') hooks[hook] = text;
    }
    out[name] = hooks;
  }
  return out;
}

async function readApprovals(configDir: string): Promise<Approvals> {
  return parse(await readJsonObject(approvalsFile(configDir)));
}

function updateApprovals(configDir: string, change: (a: Approvals) => void): Promise<void> {
  return updateJsonFile(approvalsFile(configDir), parse, change);
}

/** The lifecycle hooks a manifest has, with their exact text (what the consent screen shows). */
export function lifecycleHooks(manifest: PluginManifest): { hook: LifecycleHook; text: string }[] {
  return LIFECYCLE_HOOKS.flatMap((hook) => {
    const text = manifest.hooks[hook];
    return text?.trim() ? [{ hook, text }] : [];
  });
}

async function runHook(
  hook: LifecycleHook,
  text: string,
  pluginDir: string,
  repoRoot: string,
): Promise<string[]> {
  try {
    await runBuildHook(text, pluginDir, HOOK_TIMEOUT_MS, { repoRoot, what: `${hook} hook` });
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/**
 * After an install: records which hooks the person approved (exact text) and runs post_install if it
 * is one. Returns warnings (a failing hook does not undo the install).
 */
export async function afterInstall(
  configDir: string,
  name: string,
  pluginDir: string,
  manifest: PluginManifest,
  approved: readonly string[],
  repoRoot: string,
): Promise<string[]> {
  const hooks = lifecycleHooks(manifest);
  await updateApprovals(configDir, (a) => {
    a[name] = {};
    for (const { hook, text } of hooks) if (approved.includes(hook)) a[name][hook] = text;
  });
  const post = hooks.find((h) => h.hook === 'post_install');
  if (!post) return [];
  if (!approved.includes('post_install'))
    return [`the post_install hook was not run (not approved): ${visibleText(post.text)}`];
  return runHook('post_install', post.text, pluginDir, repoRoot);
}

/** Before a removal: runs post_remove if its current text is the one approved; forgets the approvals. */
export async function beforeRemove(
  configDir: string,
  name: string,
  pluginDir: string,
  repoRoot: string,
): Promise<string[]> {
  const approvedText = (await readApprovals(configDir))[name]?.post_remove;
  const manifest = (await loadManifest(pluginDir)).manifest;
  const text = manifest?.hooks.post_remove;
  let warnings: string[] = [];
  if (text?.trim() && approvedText === text)
    warnings = await runHook('post_remove', text, pluginDir, repoRoot);
  else if (text?.trim()) warnings = [`the post_remove hook was not run (not approved): ${visibleText(text)}`];
  await updateApprovals(configDir, (a) => {
    delete a[name];
  });
  return warnings;
}
