/**
 * Building blocks of the IPC contract's schemas: bounded text, names, paths, ids, numbers and
 * capabilities. Every string that crosses the boundary has a length cap; objects coming FROM a
 * client are strict (an unknown field, `__proto__` or `constructor` included, is refused).
 */
import { z } from 'zod';
import { type CapabilityName, FILESYSTEM_ACCESS } from '../../capabilities.js';
import { TRUST_TIERS } from '../../consent.js';

/** Longest path accepted (Linux PATH_MAX). */
export const MAX_PATH = 4096;
/** Longest free text a client may send (arguments, answers). */
export const MAX_TEXT = 64 * 1024;
/** Longest text the host sends in one field (a run's output chunk, a message). */
export const MAX_HOST_TEXT = 8 * 1024 * 1024;

/** No NUL or other C0 control characters except tab and newline. */
const PRINTABLE = /^[^\u0000-\u0008\u000b-\u001f\u007f]*$/;

export const text = (max = MAX_TEXT) => z.string().max(max);
export const line = (max = 1024) =>
  z.string().max(max).regex(PRINTABLE, { message: 'must not contain control characters' });

/** A plugin name as fledge allows it (and a little slack for names another tool wrote). */
export const pluginName = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: 'must be a plugin name: letters, digits, ".", "_" or "-"',
  });

export const commandName = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(128)
  .regex(/^[^\s\u0000-\u001f]+$/, { message: 'must be a command name without spaces' });

/** An absolute or relative folder/file path typed or dropped by the person. */
export const path = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(MAX_PATH)
  .refine((p) => !p.includes('\u0000'), { message: 'must not contain a NUL character' });

/** Opaque ids the host hands out (uuids and the like). */
export const id = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, { message: 'must be an id the app gave out' });

export const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const epochMs = count;

export const capabilityName = z.enum([
  'exec',
  'store',
  'metadata',
  'filesystem',
  'network',
  'clock',
  'random',
] as const satisfies readonly CapabilityName[]);
export const filesystemAccess = z.enum(FILESYSTEM_ACCESS);
export const trustTier = z.enum(TRUST_TIERS);
export const runtime = z.enum(['wasm', 'native']);

export const capabilities = z.object({
  exec: z.boolean(),
  store: z.boolean(),
  metadata: z.boolean(),
  filesystem: filesystemAccess,
  network: z.boolean(),
  clock: z.boolean(),
  random: z.boolean(),
});

/** Fuel is a u64 in the engine; over the wire a safe integer (up to 9e15 units) is plenty. */
export const fuel = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const timeoutMs = z
  .number()
  .int()
  .min(100)
  .max(24 * 3600 * 1000);
export const memoryMb = z.number().int().min(1).max(4096);

/** Run limits as they cross the wire. */
export const limits = z.object({ fuel, timeoutMs, memoryMb });

/** A partial set of limits sent by a client (a missing one means "use the default"). */
export const limitsPatch = z.strictObject({
  fuel: fuel.optional(),
  timeoutMs: timeoutMs.optional(),
  memoryMb: memoryMb.optional(),
});

/** An empty request. */
export const empty = z.strictObject({});

/** What the host sends for "nothing to report". */
export const ok = z.object({ ok: z.literal(true) });
