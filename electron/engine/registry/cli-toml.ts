// plugins.toml text in the exact shape the fledge CLI 1.8 writes it (`toml::to_string_pretty` of its
// registry): one `[[plugins]]` table per entry, `key = value` lines, arrays of more than one item on
// their own lines with a trailing comma, the capabilities as a `[plugins.capabilities]` sub-table,
// and strings holding `"` or `\` as literal '...' strings. A file we write reads, and diffs, like one
// the CLI wrote.
import { stringify } from 'smol-toml';

type Table = Record<string, unknown>;

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function tomlString(s: string): string {
  if (/["\\]/.test(s) && !s.includes("'") && !CONTROL.test(s)) return `'${s}'`;
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** A value on the right of `=`; anything but strings, booleans and string arrays goes through smol-toml. */
export function tomlValue(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    if (value.length === 0) return '[]';
    if (value.length === 1) return `[${tomlString(value[0] as string)}]`;
    return `[\n${value.map((v) => `    ${tomlString(v as string)},\n`).join('')}]`;
  }
  // Numbers, dates, inline tables, mixed arrays (only in entries written by something else).
  const line = stringify({ v: value }).trim();
  return line.slice(line.indexOf('=') + 1).trim();
}

function bareKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/**
 * Renders `{ ...topLevel, plugins: [entry, ...] }`. Each entry is an ordered table whose table-valued
 * fields (the capabilities) become sub-tables after its plain fields, as serde + toml-rs do.
 */
export function renderRegistryToml(topLevel: Table, plugins: Table[]): string {
  const parts: string[] = [];
  const scalars = Object.entries(topLevel).filter(([, v]) => !isTable(v));
  const tables = Object.entries(topLevel).filter(([, v]) => isTable(v));
  if (scalars.length) parts.push(scalars.map(([k, v]) => `${bareKey(k)} = ${tomlValue(v)}\n`).join(''));
  for (const [k, v] of tables) parts.push(stringify({ [k]: v }));
  for (const entry of plugins) {
    const lines = Object.entries(entry)
      .filter(([, v]) => v !== undefined && !isTable(v))
      .map(([k, v]) => `${bareKey(k)} = ${tomlValue(v)}\n`);
    parts.push(`[[plugins]]\n${lines.join('')}`);
    for (const [k, v] of Object.entries(entry)) {
      if (!isTable(v)) continue;
      const sub = Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([sk, sv]) => `${bareKey(sk)} = ${tomlValue(sv)}\n`);
      parts.push(`[plugins.${bareKey(k)}]\n${sub.join('')}`);
    }
  }
  return parts.join('\n');
}
