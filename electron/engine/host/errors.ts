/**
 * The error every host service and installer step throws: a message written for the person who
 * will read it, and a stable `code` for programs (the UI, the CLI's exit codes, tests).
 */
export class HostError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostError';
    this.code = code;
  }
}

export function isHostError(err: unknown, code?: string): err is HostError {
  return err instanceof HostError && (code === undefined || err.code === code);
}

/** The `code` of a Node system error (ENOENT, EEXIST, ...), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
