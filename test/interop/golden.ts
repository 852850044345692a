// The files the real fledge 1.8 CLI wrote (test/fixtures/fledge-1.8/, made by make-golden.ts), with
// their {{ROOT}} and {{DATE}} placeholders filled in for a test's own temp root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fledge-cli.js';

export const GOLDEN_DIR = join(repoRoot, 'test', 'fixtures', 'fledge-1.8');

export function golden(name: string, fill: { root?: string; date?: string } = {}): string {
  let text = readFileSync(join(GOLDEN_DIR, name), 'utf8');
  if (fill.root !== undefined) text = text.split('{{ROOT}}').join(fill.root);
  if (fill.date !== undefined) text = text.split('{{DATE}}').join(fill.date);
  return text;
}

/** The JSON document in a CLI answer (1.8 prints "▶ Pre-compiling WASM module..." before it, even with --json). */
export function goldenJson(name: string): Record<string, unknown> {
  const text = golden(name);
  return JSON.parse(text.slice(text.indexOf('{'))) as Record<string, unknown>;
}

/** The shape of a JSON value: keys (sorted) and the types of leaves, recursively. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (value === null) return 'null';
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]),
    );
  return typeof value;
}
