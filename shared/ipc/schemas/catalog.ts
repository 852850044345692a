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
  /** True: a prebuilt wasm ships; false: it needs a Rust toolchain to build; null: not known yet. */
  installableWithoutToolchain: z.boolean().nullable(),
});

export const catalogAnswer = z.object({
  results: z.array(catalogResult).max(1000),
  fetchedAt: line(64),
  fromCache: z.boolean(),
  ageSeconds: count,
  /** Plain words when the answer is from the cache or the search failed; null otherwise. */
  reason: text(4096).nullable(),
});
