// Bounds on the values a plugin sends, applied in the sandbox before they leave it: JSON.parse takes
// any depth, but whatever serialises a value later (structured clone, JSON.stringify in the engine,
// the CLI's printer, the app's renderer) recurses, and a value nested deeply enough overflows the
// stack of whichever thread touches it next. So every structured value from a plugin (a request's
// default, a host call's payload) is copied here without recursion, cut at MAX_VALUE_DEPTH levels and
// MAX_VALUE_CHARS characters, and texts meant for a person (log and progress messages, questions,
// options) are cut at MAX_TEXT_CHARS. The caller logs what was cut.

/** Levels of arrays and objects kept; deeper ones become null. */
export const MAX_VALUE_DEPTH = 32;
/** About the length of the value as JSON; past it, the rest is left out. */
export const MAX_VALUE_CHARS = 1 << 20;
/** Longest message, question or option text kept. */
export const MAX_TEXT_CHARS = 64 * 1024;
/** Options of one question kept (the rest are dropped). */
export const MAX_OPTIONS = 10_000;

export interface Bounded {
  value: unknown;
  /** What was cut, in words for a person; null when the value is whole. */
  cut: string | null;
}

type Container = Record<string, unknown> | unknown[];

function put(dst: Container, key: string | number, value: unknown): void {
  if (Array.isArray(dst)) dst.push(value);
  // defineProperty: a key "__proto__" stays an ordinary key, as JSON.parse made it.
  else Object.defineProperty(dst, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of a JSON value (as JSON.parse makes them) within the bounds. Never recurses. */
export function boundValue(input: unknown, maxDepth = MAX_VALUE_DEPTH, maxChars = MAX_VALUE_CHARS): Bounded {
  let size = 0;
  let deep = false;
  let big = false;
  const leaf = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const room = Math.max(0, maxChars - size);
      size += v.length + 2;
      if (v.length > room) {
        big = true;
        return v.slice(0, room);
      }
      return v;
    }
    size += 6;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'boolean' || v === null) return v;
    return null; // undefined, bigint, functions: not JSON
  };
  const isContainer = (v: unknown): v is Container => v !== null && typeof v === 'object';
  if (!isContainer(input)) return { value: leaf(input), cut: describe(false, big, maxDepth, maxChars) };
  if (maxDepth < 1) return { value: null, cut: describe(true, false, maxDepth, maxChars) };
  const root: Container = Array.isArray(input) ? [] : {};
  const stack: [Container, Container, number][] = [[input, root, 1]];
  while (stack.length > 0 && !big) {
    const [src, dst, depth] = stack.pop()!;
    const keys = Array.isArray(src) ? null : Object.keys(src);
    const n = keys ? keys.length : (src as unknown[]).length;
    for (let i = 0; i < n; i++) {
      if (size > maxChars) {
        big = true;
        break;
      }
      const key = keys ? keys[i]! : i;
      if (keys) size += (key as string).length + 3;
      else size += 1;
      const v = (src as Record<string | number, unknown>)[key];
      if (!isContainer(v)) {
        put(dst, key, leaf(v));
        continue;
      }
      if (depth >= maxDepth) {
        deep = true;
        size += 4;
        put(dst, key, null);
        continue;
      }
      const child: Container = Array.isArray(v) ? [] : {};
      size += 2;
      put(dst, key, child);
      stack.push([v, child, depth + 1]);
    }
  }
  if (stack.length > 0) big = true;
  return { value: root, cut: describe(deep, big, maxDepth, maxChars) };
}

function describe(deep: boolean, big: boolean, maxDepth: number, maxChars: number): string | null {
  const parts: string[] = [];
  if (deep) parts.push(`nested deeper than ${maxDepth} levels (the deeper levels became null)`);
  if (big) parts.push(`larger than ${Math.round(maxChars / 1024)} KB as JSON (the rest was left out)`);
  return parts.length > 0 ? parts.join(' and ') : null;
}

/**
 * A text for a person from whatever the plugin put there: a string (cut at MAX_TEXT_CHARS), a
 * number or boolean as written, anything else as bounded JSON. `cut` says what was cut.
 */
export function boundText(input: unknown, maxChars = MAX_TEXT_CHARS): { text: string; cut: string | null } {
  if (typeof input === 'string') {
    if (input.length <= maxChars) return { text: input, cut: null };
    return {
      text: input.slice(0, maxChars),
      cut: `longer than ${Math.round(maxChars / 1024)} KB (cut there)`,
    };
  }
  if (typeof input === 'number' || typeof input === 'boolean') return { text: String(input), cut: null };
  if (input === undefined || input === null) return { text: '', cut: null };
  const b = boundValue(input, MAX_VALUE_DEPTH, maxChars);
  const text = JSON.stringify(b.value) ?? '';
  return { text: text.slice(0, maxChars), cut: b.cut };
}
