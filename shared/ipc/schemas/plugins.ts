/**
 * Installed plugins as the screens list them (everything `plugins audit` shows, plus the app's own
 * per-plugin settings), the detail page, where an install comes from, and what validation found.
 */
import { z } from 'zod';
import {
  capabilities,
  capabilityName,
  count,
  id,
  limits,
  limitsPatch,
  line,
  path,
  pluginName,
  runtime,
  text,
  trustTier,
} from './common.js';

export const pluginCommand = z.object({ name: line(128), description: text(4096).nullable() });

export const consentState = z.object({
  /** "approved": it may run; "needs_approval": `problems` say why not (a wasm changed, never approved...). */
  state: z.enum(['approved', 'needs_approval']),
  problems: z.array(text(4096)).max(100),
});

/** How an installed plugin runs on this computer, as the engine will run it (the runtime badge). */
export const pluginAccess = z.object({
  /**
   * "sandboxed": WASM in Fledge's sandbox; "contained": native, inside bubblewrap (read-only project,
   * no network unless granted); "full": native, as a normal program with the person's permissions.
   */
  mode: z.enum(['sandboxed', 'contained', 'full']),
  /** What that means, in plain words (for the badge's description). */
  detail: text(2048),
  /** Native only: the person allowed full access and its programs are still the ones they allowed. */
  fullAccessAllowed: z.boolean(),
  /** Native only: whether this computer can contain native plugins at all (false: they run with full access). */
  containable: z.boolean(),
});

export const pluginSummary = z.object({
  name: line(128),
  version: line(128),
  description: text(4096).nullable(),
  author: line(512).nullable(),
  runtime,
  sandboxed: z.boolean(),
  access: pluginAccess,
  tier: trustTier,
  /** The tier in plain words ("an unverified source: nobody has checked this plugin"). */
  tierText: line(),
  /** The source as plugins.toml records it (a path, owner/repo, a URL). */
  source: text(4096),
  pinnedRef: line(256).nullable(),
  installedAt: line(64).nullable(),
  /** What plugin.toml asks for (null when the installed plugin.toml cannot be read). */
  declared: capabilities.nullable(),
  granted: capabilities,
  commands: z.array(pluginCommand).max(256),
  consent: consentState,
  /** False when no approval by this app is on record (installed by the fledge CLI or another tool). */
  approvedHere: z.boolean(),
  enabled: z.boolean(),
  /** The limits every run of it gets (its own, else the settings' defaults; never above the ceilings). */
  limits,
});

export const storeUsage = z.object({
  keys: count,
  totalBytes: count,
  entries: z.array(z.object({ key: text(4096), bytes: count })).max(10_000),
});

export const pluginDetail = pluginSummary.extend({
  pluginDir: text(4096),
  /** The per-plugin overrides as stored (a missing one follows the settings). */
  ownLimits: z.object({
    fuel: limits.shape.fuel.nullable(),
    timeoutMs: limits.shape.timeoutMs.nullable(),
    memoryMb: limits.shape.memoryMb.nullable(),
  }),
  hooks: z.array(z.object({ name: line(64), command: text(4096) })).max(16),
  /** Each wasm binary and its SHA-256 now (null for a missing file). */
  wasm: z.array(z.object({ binary: text(4096), sha256: z.string().max(64).nullable() })).max(256),
  store: storeUsage.nullable(),
  data: z.object({ files: count, bytes: count, partial: z.boolean() }),
});

/** Where a plugin is installed from. */
export const installSource = z.discriminatedUnion('kind', [
  /** A folder or an archive (.zip, .tar.gz, .tgz) on this computer. */
  z.strictObject({ kind: z.literal('path'), path }),
  /** Archive bytes sent earlier with plugins.upload. */
  z.strictObject({ kind: z.literal('upload'), uploadId: id }),
  /** A git source: owner/repo[@ref] (from the catalog) or an https URL. */
  z.strictObject({
    kind: z.literal('git'),
    spec: z
      .string()
      .min(1, { message: 'must not be empty' })
      .max(1024)
      .regex(
        /^(https:\/\/[^\s\u0000-\u001f]+|[A-Za-z0-9][A-Za-z0-9-]*\/(?!\.+(@|$))[A-Za-z0-9._-]+(@[A-Za-z0-9._/-]+)?)$/,
        {
          message: 'must be owner/repo, owner/repo@ref or an https:// address, without spaces',
        },
      ),
  }),
]);

export const pluginNameRequest = z.strictObject({ name: pluginName });
export const capabilitiesRequest = z.strictObject({
  name: pluginName,
  capabilities: z.array(capabilityName).min(1, { message: 'must name at least one capability' }).max(7),
});
/** allowed: a native plugin runs with full access (not contained) from now on; false: contained again. */
export const setFullAccessRequest = z.strictObject({ name: pluginName, allowed: z.boolean() });
export const setEnabledRequest = z.strictObject({ name: pluginName, enabled: z.boolean() });
/** null for a limit: back to the settings' default. */
export const setLimitsRequest = z.strictObject({
  name: pluginName,
  limits: z.strictObject({
    fuel: limitsPatch.shape.fuel.unwrap().nullable().optional(),
    timeoutMs: limitsPatch.shape.timeoutMs.unwrap().nullable().optional(),
    memoryMb: limitsPatch.shape.memoryMb.unwrap().nullable().optional(),
  }),
});

/** Largest archive accepted as an upload (browser-mode drops), in bytes. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const uploadRequest = z.strictObject({
  /** The dropped file's name: a plain file name ending in .zip, .tar.gz or .tgz. */
  fileName: z
    .string()
    .min(1, { message: 'must not be empty' })
    .max(255)
    .refine((n) => !/[/\\\u0000-\u001f]/.test(n) && n !== '.' && n !== '..', {
      message: 'must be a plain file name, without folders or control characters',
    })
    .refine((n) => /\.(zip|tar\.gz|tgz)$/i.test(n), {
      message: 'must be a plugin archive: .zip, .tar.gz or .tgz',
    }),
  /** The archive's bytes, base64. */
  base64: z
    .string()
    .min(4, { message: 'must not be empty' })
    .max(Math.ceil(MAX_UPLOAD_BYTES / 3) * 4, {
      message: `is too large: archives up to ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB can be dropped`,
    })
    .refine((b) => b.length % 4 === 0 && BASE64.test(b), { message: 'must be base64 text' }),
});
export const uploadResult = z.object({ uploadId: id, fileName: line(255), bytes: count });

export const validationIssue = z.object({
  /** The field of plugin.toml (`commands[1].binary`), or "" for the plugin as a whole. */
  field: text(1024),
  rule: line(128),
  message: text(4096),
});
export const validationReport = z.object({
  valid: z.boolean(),
  pluginName: line(128).nullable(),
  version: line(128).nullable(),
  runtime: runtime.nullable(),
  errors: z.array(validationIssue).max(1000),
  warnings: z.array(validationIssue).max(1000),
});
/** A source on this computer (a folder, an archive or an upload); `purpose` ends the refusal of git. */
const localSource = (purpose: string) =>
  installSource.refine((s) => s.kind !== 'git', {
    message: `only a folder, an archive or an upload can be ${purpose}`,
  });

export const validateRequest = z.strictObject({ source: localSource('checked before installing') });

export const installRequest = z.strictObject({ source: installSource });
/** `from`: a folder, archive or upload to take the new version from instead of the recorded source. */
export const updateRequest = z.strictObject({
  name: pluginName,
  from: localSource('given to update from').optional(),
});
