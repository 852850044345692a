// plugin.toml, as the fledge CLI defines it (see docs/fledge-reference.md), after validation.
import type { Capabilities } from '../capabilities.js';

export const RUNTIMES = ['wasm', 'native'] as const;
export type PluginRuntime = (typeof RUNTIMES)[number];

export const HOOK_NAMES = [
  'build',
  'post_install',
  'post_remove',
  'pre_init',
  'post_work_start',
  'pre_push',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface PluginCommand {
  name: string;
  description?: string;
  /** Path inside the plugin dir (relative, never climbing out). */
  binary: string;
}

export interface PluginManifest {
  name: string;
  version: string;
  description?: string;
  author?: string;
  /** "fledge-v1" or absent (a plain process, no protocol). */
  protocol?: string;
  runtime: PluginRuntime;
  commands: PluginCommand[];
  hooks: Partial<Record<HookName, string>>;
  /** What the plugin asks for; every one defaults to denied. */
  capabilities: Capabilities;
}

/** One validation finding. `path` names the field (`commands[1].binary`), or is empty for the file. */
export interface ManifestIssue {
  path: string;
  /** A stable code for programs, e.g. "version-format". */
  rule: string;
  /** Written for a person: what is wrong and what to do. */
  message: string;
  /** TOML syntax errors only: 1-based position. */
  line?: number;
  column?: number;
}

export interface ManifestCheck {
  manifest: PluginManifest | null;
  /** The plugin's name when it could be read, even from a manifest with errors. */
  name: string | null;
  errors: ManifestIssue[];
  warnings: ManifestIssue[];
}
