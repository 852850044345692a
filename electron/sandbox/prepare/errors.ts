// The one error type module preparation throws for a module it refuses; `message` is for a person.

export type ModuleErrorCode =
  | 'empty'
  | 'not_wasm'
  | 'invalid'
  | 'unmeterable'
  | 'memory_over_cap'
  /** Preparing it took longer, or more memory, than allowed (off-thread.ts). */
  | 'too_expensive'
  /** Its bytes are not the ones checked (cache.ts: expectSha256). */
  | 'changed';

/** A module that cannot be prepared; `message` is written for a person. */
export class ModuleError extends Error {
  constructor(
    readonly code: ModuleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModuleError';
  }
}

/** Formats an opcode the way people read it in the spec: 0x1f, 0xfd 0x0c, ... */
export function hex(n: number): string {
  return '0x' + n.toString(16).padStart(2, '0');
}
