/**
 * The plugin catalog (GitHub search, as `fledge plugins search`): the query a client sends and the
 * answer, marked when it comes from the cache and why.
 */
import { z } from 'zod';
import { count, line, text, trustTier } from './common.js';

const word = z
  .string()
  .max(256)
  .regex(/^[^\u0000-\u001f]*$/, { message: 'must not contain control characters' });

export const catalogQuery = z.strictObject({
  keywords: word.optional(),
  topic: word.optional(),
  owner: z
    .string()
    .max(39)
    .regex(/^[A-Za-z0-9-]*$/, { message: 'must be a GitHub user or organisation name' })
    .optional(),
  limit: z.number().int().min(1).max(100).optional(),
  sort: z.enum(['stars', 'updated', 'forks', 'help-wanted-issues']).optional(),
});

export const catalogResult = z.object({
  owner: line(256),
  name: line(256),
  fullName: line(512),
  description: text(4096).nullable(),
  stars: count,
  url: text(2048),
  topics: z.array(line(256)).max(100),
  tier: trustTier,
  installed: z.boolean(),
  runtime: z.enum(['wasm', 'native']).nullable(),
  /** True: a prebuilt wasm ships (or nothing needs building); false: it must be built; null: not known yet. */
  installableWithoutToolchain: z.boolean().nullable(),
  /** What building it needs ("Rust", "Go"...), when it must be built; null otherwise or while unknown. */
  toolchain: line(64).nullable(),
  /** Why it cannot be installed at all (no or invalid plugin.toml); null when it can or while unknown. */
  problem: text(1024).nullable(),
});

/** owner/repo, as GitHub allows them: nothing that could be a path or a URL. */
const fullName = z
  .string()
  .max(140)
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, {
    message: 'must be a GitHub repository name (owner/repo)',
  });

/** Look at these repositories before install (the cards on screen): at most 12 at a time. */
export const catalogInspectRequest = z.strictObject({
  fullNames: z.array(fullName).min(1).max(12),
});

export const catalogFacts = z.object({
  fullName: line(512),
  runtime: z.enum(['wasm', 'native']).nullable(),
  installableWithoutToolchain: z.boolean().nullable(),
  toolchain: line(64).nullable(),
  problem: text(1024).nullable(),
});

export const catalogInspectAnswer = z.object({
  facts: z.array(catalogFacts).max(12),
  /** Repositories that could not be looked at, each with why. */
  failed: z.array(z.object({ fullName: line(512), message: text(4096) })).max(12),
  /** GitHub's limit stopped the look-ups: why in plain words, and when to try again (seconds). */
  limited: z.object({ reason: text(4096), retryInSeconds: count.nullable() }).nullable(),
});

export const catalogAnswer = z.object({
  results: z.array(catalogResult).max(1000),
  fetchedAt: line(64),
  fromCache: z.boolean(),
  ageSeconds: count,
  /** Plain words when the answer is from the cache or the search failed; null otherwise. */
  reason: text(4096).nullable(),
});
