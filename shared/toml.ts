// TOML parsing with syntax errors turned into one plain sentence with the line and column.
import { parse, TomlError } from 'smol-toml';

export type TomlTable = Record<string, unknown>;

export interface TomlSyntaxError {
  line: number;
  column: number;
  /** "TOML syntax error at line 3, column 6: illegal character in key" */
  message: string;
}

export type TomlParse = { ok: true; doc: TomlTable } | { ok: false; error: TomlSyntaxError };

export function parseToml(text: string): TomlParse {
  try {
    return { ok: true, doc: parse(text) as TomlTable };
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const reason = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
    return {
      ok: false,
      error: {
        line: err.line,
        column: err.column,
        message: `TOML syntax error at line ${err.line}, column ${err.column}: ${reason}`,
      },
    };
  }
}
