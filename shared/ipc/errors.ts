/**
 * Errors as they cross the boundary: `{code, message}`, the message written for the person who will
 * read it, the code for programs. Also the wording of schema failures: each names the field.
 */
import type { z } from 'zod';

export interface IpcErrorData {
  code: string;
  message: string;
}

/** Codes the contract itself produces (handlers add their own, e.g. "plugin_not_installed"). */
export const IPC_ERROR_CODES = {
  /** The request did not match the method's schema. */
  invalidRequest: 'invalid_request',
  /** The host's answer did not match the result schema (a bug in Fledge Desktop). */
  invalidResult: 'invalid_result',
  /** An event payload did not match its schema. */
  invalidEvent: 'invalid_event',
  unknownMethod: 'unknown_method',
  /** The connection to the app was lost before an answer came. */
  disconnected: 'disconnected',
  /** Anything unexpected; the message still says what failed. */
  internal: 'internal',
  /** The person cancelled a high-risk grant in the app's own confirmation (Electron); nothing changed. */
  grantCancelled: 'grant_cancelled',
} as const;

/** An error with a code, thrown by the client and by handlers. */
export class IpcError extends Error implements IpcErrorData {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
  }

  toJSON(): IpcErrorData {
    return { code: this.code, message: this.message };
  }
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  undefined: 'nothing',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  if (typeof v === 'boolean') return 'true or false';
  return `${typeof v === 'object' ? 'an' : 'a'} ${typeof v}`;
}

/** `limits.memoryMb`, `args[3]`; "" for the whole value. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = root;
  for (const p of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, p)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[p];
  }
  return at;
}

/** Zod's own wording; anything else was written for the field in the contract and is kept. */
const DEFAULT_WORDING = /^(Invalid|Too (big|small)|Unrecognized)/;

function issueText(issue: z.core.$ZodIssue, input: unknown): { field: string; text: string } {
  const field = fieldName(issue.path);
  if (issue.code === 'invalid_union' && valueAt(input, issue.path) === undefined)
    return { field, text: 'is missing' };
  if (issue.code !== 'invalid_type' && !DEFAULT_WORDING.test(issue.message))
    return { field, text: issue.message };
  switch (issue.code) {
    case 'invalid_type': {
      const got = valueAt(input, issue.path);
      if (got === undefined) return { field, text: 'is missing' };
      return {
        field,
        text: `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeValue(got)}`,
      };
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return { field, text: `has ${issue.keys.length > 1 ? 'unknown fields' : 'an unknown field'} ${keys}` };
    }
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'string') return { field, text: `is too long (at most ${max} characters)` };
      if (issue.origin === 'array') return { field, text: `has too many items (at most ${max})` };
      return { field, text: `must be at most ${max}` };
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'string')
        return {
          field,
          text: issue.minimum === 1 ? 'must not be empty' : `is too short (at least ${min} characters)`,
        };
      if (issue.origin === 'array')
        return { field, text: `needs at least ${min} item${min === '1' ? '' : 's'}` };
      return { field, text: `must be at least ${min}` };
    }
    case 'invalid_value':
      return { field, text: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'invalid_union':
      {
        const options = (issue as { options?: unknown }).options;
        if (Array.isArray(options))
          return { field, text: `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` };
      }
      return { field, text: 'does not have any of the accepted shapes' };
    default:
      return { field, text: issue.message };
  }
}

/**
 * One sentence per problem, each naming its field: `The request of plugins.get is not valid: name
 * must be text, not a whole number.` `what` names the message ("The request of plugins.get").
 */
export function describeIssues(what: string, issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const parts = issues.slice(0, 5).map((i) => {
    const { field, text } = issueText(i, input);
    return field ? `${field} ${text}` : `it ${text}`;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more problems)` : '';
  return `${what} is not valid: ${parts.join('; ')}${more}.`;
}

/** The {code, message} for anything thrown by a handler: its own code and words when it has them. */
export function toErrorData(err: unknown): IpcErrorData {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(e.code) && typeof e.message === 'string')
      return { code: e.code, message: e.message.slice(0, 16_384) };
    if (typeof e.message === 'string')
      return {
        code: IPC_ERROR_CODES.internal,
        message: `Something went wrong in Fledge Desktop: ${e.message.split('\n')[0]!.slice(0, 2000)}`,
      };
  }
  return { code: IPC_ERROR_CODES.internal, message: 'Something went wrong in Fledge Desktop.' };
}
