/**
 * Long operations (install, update) started by a call that returns at once: their progress, the
 * consent they wait for, and how they ended. A client that reconnects lists them to catch up.
 */
import { z } from 'zod';
import { capabilities, capabilityName, count, epochMs, id, line, text, trustTier } from './common.js';

export const installProgress = z.object({
  phase: z.enum(['resolving', 'downloading', 'extracting', 'building', 'preparing', 'consent', 'done']),
  message: text(4096),
  bytes: count.optional(),
  total: count.optional(),
});

export const installOutcome = z.object({
  name: line(128),
  version: line(128),
  granted: capabilities,
  tier: trustTier,
  replaced: z.boolean(),
  /** Capabilities the new version asks for that stay withheld until approved. */
  withheld: z.array(capabilityName),
  warnings: z.array(text(4096)).max(1000),
  /** An update that found nothing newer (nothing changed): why, in plain words; null otherwise. */
  upToDate: text(4096).nullable(),
});

export const ipcErrorShape = z.object({ code: line(64), message: text(16_384) });

export const operation = z.object({
  id,
  kind: z.enum(['install', 'update']),
  /** What it is about, in plain words ("Installing from owner/repo"). */
  label: text(4096),
  state: z.enum(['running', 'waiting_for_consent', 'succeeded', 'failed', 'cancelled']),
  startedAt: epochMs,
  progress: installProgress.nullable(),
  /** The consent request it waits for, while state is waiting_for_consent. */
  consentId: id.nullable(),
  outcome: installOutcome.nullable(),
  error: ipcErrorShape.nullable(),
});

export const operationStarted = z.object({ operationId: id });
export const operationIdRequest = z.strictObject({ operationId: id });
