/**
 * Consent as the screens ask it: what an install or an update wants (each capability in plain words,
 * its risk, what a denial means), the build hook's exact command, and the person's per-capability answer.
 */
import { z } from 'zod';
import {
  capabilities,
  capabilityName,
  filesystemAccess,
  id,
  line,
  runtime,
  text,
  trustTier,
} from './common.js';

export const capabilityRequest = z.object({
  capability: capabilityName,
  title: line(),
  detail: text(4096),
  risk: z.enum(['low', 'medium', 'high']),
  /** False when the source's trust tier forbids granting it (then `refusal` says why). */
  allowed: z.boolean(),
  refusal: text(4096).nullable(),
  /** What a denial means: "The plugin will run but cannot ...". */
  ifDenied: text(4096),
});

export const consentRequest = z.object({
  id,
  /** The install or update this belongs to. */
  operationId: id,
  kind: z.enum(['install', 'update']),
  plugin: z.object({
    name: line(128),
    version: line(128),
    description: text(4096).nullable(),
    author: line(512).nullable(),
    runtime,
  }),
  source: text(4096),
  tier: trustTier,
  tierText: line(),
  /** Each capability the plugin asks for, nothing pre-granted. */
  requests: z.array(capabilityRequest).max(7),
  /** The build hook's exact command, escaped as the engine shows it; null when there is none. */
  buildHook: text(8192).nullable(),
  /** For an update: what changes against what was granted before, and which version replaces which. */
  update: z
    .object({
      previous: capabilities,
      added: z.array(capabilityName),
      removed: z.array(capabilityName),
      unchanged: z.array(capabilityName),
      /** The installed version and the one offered. */
      fromVersion: line(128).nullable(),
      toVersion: line(128).nullable(),
      /** From GitHub: the installed commit, the new one, and where it comes from ("release v1.1.0", "branch main"). */
      fromCommit: line(64).nullable(),
      toCommit: line(64).nullable(),
      toRef: line(256).nullable(),
    })
    .nullable(),
  /** Binaries downloaded from a GitHub release (not built here): what, how big, their SHA-256. */
  prebuilt: z
    .array(
      z.object({
        binary: text(4096),
        asset: line(512),
        release: line(512),
        bytes: z.number().int().min(0),
        sha256: z.string().max(64),
        /** "match": a published checksum agrees; "absent": none was published. */
        checksum: z.enum(['match', 'absent']),
      }),
    )
    .max(256),
  /** A native plugin: a program that runs as the person; how it will run here; each binary's SHA-256. */
  native: z
    .object({
      summary: text(4096),
      /** "native, contained (read-only project, no network)" or "native, full access". */
      accessLabel: line(),
      containmentNote: text(4096).nullable(),
      binaries: z.array(z.object({ path: text(4096), sha256: z.string().max(64).nullable() })).max(256),
      /** An unverified source: the separate question the person must answer yes (null otherwise). */
      extraConfirmation: text(4096).nullable(),
    })
    .optional(),
  createdAt: z.number().int().min(0),
});

/** The person's choice, one per capability; anything left out is denied. */
export const consentGrants = z.strictObject({
  exec: z.boolean().optional(),
  store: z.boolean().optional(),
  metadata: z.boolean().optional(),
  filesystem: filesystemAccess.optional(),
  network: z.boolean().optional(),
  clock: z.boolean().optional(),
  random: z.boolean().optional(),
});

export const consentAnswerRequest = z.strictObject({
  consentId: id,
  decision: z.discriminatedUnion('answer', [
    z.strictObject({
      answer: z.literal('install'),
      grants: consentGrants,
      /** True only when the person approved running exactly the build hook shown. */
      allowBuild: z.boolean(),
      /** An unverified native plugin: true only when the person answered its extra question yes. */
      confirmUnverifiedNative: z.boolean().optional(),
    }),
    z.strictObject({ answer: z.literal('decline') }),
  ]),
});

export const consentOutcome = z.enum(['granted', 'declined', 'cancelled']);
