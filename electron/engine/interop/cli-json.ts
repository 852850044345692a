// The `--json` documents of the fledge CLI 1.8, so a script written for one tool reads the other's:
// every one starts with `schema_version: 1`; install / update / remove are the "action" dialect
// (`action: "<verb>"`), validate is flat. Field names are the CLI's (src/plugin/install.rs, update.rs,
// remove.rs, validate.rs); the golden files in test/fixtures/fledge-1.8/ are the CLI's own output.
import type { Capabilities } from '../../../shared/capabilities.js';

export const CLI_SCHEMA_VERSION = 1;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value as object)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** A document as the CLI prints it: serde_json's pretty form, keys in sorted order, a final newline. */
export function cliJsonText(doc: unknown): string {
  return `${JSON.stringify(sortKeys(doc), null, 2)}\n`;
}

/** The CLI's capabilities object: its five, `filesystem` only when it grants something. */
export function cliCapabilities(caps: Capabilities | undefined | null): Record<string, unknown> | null {
  if (!caps) return null;
  const out: Record<string, unknown> = {
    exec: caps.exec,
    metadata: caps.metadata,
    network: caps.network,
    store: caps.store,
  };
  if (caps.filesystem !== 'none') out.filesystem = caps.filesystem;
  return out;
}

export interface InstalledReport {
  name: string;
  source: string;
  version: string;
  trust_tier: string;
  commands: string[];
  pinned_ref: string | null;
  capabilities: Record<string, unknown> | null;
}

export interface FailedReport {
  source: string;
  error: string;
}

/** `plugins install --json`: {schema_version, action: "install", scope, installed, failed, summary}. */
export function installDocument(installed: InstalledReport[], failed: FailedReport[] = []) {
  return {
    schema_version: CLI_SCHEMA_VERSION,
    action: 'install',
    scope: 'single',
    installed,
    failed,
    summary: { total: installed.length + failed.length, installed: installed.length, failed: failed.length },
  };
}

export interface UpdateResult {
  name: string;
  status: 'updated' | 'skipped' | 'failed';
  detail?: string;
  version?: string;
  commands?: string[];
  pinned_ref?: string;
}

/** `plugins update --json`: {schema_version, action: "update", scope, results, summary}. */
export function updateDocument(scope: 'single' | 'all', results: UpdateResult[]) {
  const count = (s: UpdateResult['status']) => results.filter((r) => r.status === s).length;
  return {
    schema_version: CLI_SCHEMA_VERSION,
    action: 'update',
    scope,
    results,
    summary: {
      total: results.length,
      updated: count('updated'),
      skipped: count('skipped'),
      failed: count('failed'),
    },
  };
}

/** `plugins remove --json`: {schema_version, action: "remove", removed: {name, source, version, commands}}. */
export function removeDocument(removed: {
  name: string;
  source: string;
  version: string;
  commands: string[];
}) {
  return {
    schema_version: CLI_SCHEMA_VERSION,
    action: 'remove',
    removed: {
      name: removed.name,
      source: removed.source,
      version: removed.version,
      commands: removed.commands,
    },
  };
}

/** `plugins validate --json`: {schema_version, path, plugin_name, errors, warnings}. */
export function validateDocument(report: {
  path: string;
  plugin_name: string | null;
  errors: string[];
  warnings: string[];
}) {
  return { schema_version: CLI_SCHEMA_VERSION, ...report };
}
