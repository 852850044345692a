// Up-front checks with messages a person can act on: empty file, not WebAssembly, invalid module.

import { ModuleError } from './errors.js';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Guesses what a non-wasm file is from its first bytes, for the error message. */
function describeStart(b: Uint8Array): string {
  const ascii = (n: number) => String.fromCharCode(...b.subarray(0, n));
  if (b[0] === 0x7f && ascii(4).slice(1) === 'ELF')
    return 'an ELF executable (a native program, not WebAssembly)';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'a Windows executable (a native program, not WebAssembly)';
  if (b[0] === 0xcf && b[1] === 0xfa && b[2] === 0xed && b[3] === 0xfe)
    return 'a macOS executable (a native program, not WebAssembly)';
  if (b[0] === 0x23 && b[1] === 0x21) return 'a script (it starts with "#!")';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'a zip archive';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'a gzip archive';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 64)).trimStart();
  if (text.startsWith('(module') || text.startsWith(';;') || text.startsWith('(;'))
    return 'WebAssembly text (.wat): compile it to a binary .wasm first';
  const shown = Array.from(b.subarray(0, Math.min(8, b.length)), (x) => x.toString(16).padStart(2, '0')).join(
    ' ',
  );
  const printable = /^[\x20-\x7e\t\r\n]+$/.test(text.slice(0, 16))
    ? ` ("${text.slice(0, 16).trimEnd()}")`
    : '';
  return `bytes ${shown}${printable}`;
}

/** Checks the magic number and version; throws 'empty', 'not_wasm' or 'invalid'. */
export function checkHeader(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new ModuleError('empty', 'the plugin binary is empty (0 bytes)');
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new ModuleError(
        'not_wasm',
        `not a WebAssembly module (it starts with ${describeStart(bytes)}; a .wasm file starts with "\\0asm")`,
      );
    }
  }
  if (bytes.length < 8)
    throw new ModuleError('invalid', 'the WebAssembly module is cut short: it ends inside its header');
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version === 0x0001000d) {
    throw new ModuleError(
      'invalid',
      'this is a WebAssembly component, not a core module; build the plugin for wasm32-wasip1 instead',
    );
  }
  if (version !== 1) {
    throw new ModuleError(
      'invalid',
      `unsupported WebAssembly version ${version} (only version 1 is supported)`,
    );
  }
}

/** Full validation by V8 (the engine that will run the module); throws 'invalid' with V8's reason. */
export function validateModule(bytes: Uint8Array): void {
  checkHeader(bytes);
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return;
  let reason = 'V8 rejected it';
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    reason = (e instanceof Error ? e.message : String(e)).replace(/^WebAssembly\.Module\(\): /, '');
  }
  throw new ModuleError('invalid', `the WebAssembly module is invalid: ${reason}`);
}
