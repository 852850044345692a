// Runs ONE plugin command (or plain WASI program, see SandboxMode) inside the sandbox worker thread:
// loads the prepared module, compiles it (from its compiled-code cache when it has a valid one:
// compiled-cache.ts), links the fledge imports, the fuel global and WASI, calls _start and tells how
// the run ended.
// Everything after the compile is synchronous; waiting (recv, granted host calls) goes through
// WorkerChannel, which blocks the thread with Atomics.wait while the controller does the async work.
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { boundText, boundValue, MAX_OPTIONS } from './bounded.js';
import {
  type CodeCacheSlot,
  type CompiledModule,
  compiledCachePath,
  compileWithCodeCache,
  moduleIdOf,
} from './compiled-cache.js';
import { execDenied, refusedRequest } from './host-services.js';
import { adviseHugePages } from './huge-pages.js';
import { nowMs } from './now-ms.js';
import {
  capMemoryParts,
  FUEL_IMPORT_MODULE,
  FUEL_IMPORT_NAME,
  instrumentFuel,
  loadPrepared,
  ModuleError,
  partsLength,
} from './prepare/index.js';
import type {
  EndReason,
  HostOp,
  LogLevel,
  RequestKind,
  RunEvent,
  SandboxStart,
  ToWorkerSync,
  WorkerEnd,
} from './protocol.js';
import { checkFledgeSignatures } from './signatures.js';
import { applyTiering, chooseTiering } from './tiering.js';
import type { WasmSerializer } from './v8-wasm-serializer.js';
import { createWasi, type Wasi, WasiExit, type WasiOptions } from './wasi/index.js';

/** What the runtime needs from the thread it runs on. */
export interface WorkerChannel {
  /** Buffers an event; the channel sends batches. */
  emit(event: RunEvent): void;
  /** Buffers an event given as its JSON text (the caller vouches that it is a valid RunEvent). */
  emitJson(json: string): void;
  /** Sends what is buffered now (before blocking, at the end). */
  flush(): void;
  /** Posts a host call to the controller (fire and forget; the result comes through receive). */
  hostCall(callId: number, op: HostOp, payload: unknown): void;
  /** The next message from the controller: undefined at once if none is waiting and `block` is false. */
  receive(block: boolean): ToWorkerSync | undefined;
}

const PAGE = 65536;
const FLEDGE_CAPABILITY_IMPORTS: Record<string, 'exec' | 'store' | 'metadata'> = {
  exec: 'exec',
  store_set: 'store',
  store_get: 'store',
  metadata: 'metadata',
};
const FLEDGE_BASIC_IMPORTS = new Set(['send', 'recv', 'exit']);
const LOG_LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

/**
 * The fuel counter once the run has ended from inside an import: far below zero, so every later fuel
 * check traps, yet far from i64's minimum, so charges subtracted from it cannot wrap around.
 */
const POISONED_FUEL = -(1n << 62n);

/** A stderr line longer than this (in UTF-16 units) is passed on in pieces of this size. */
const MAX_STDERR_LINE = 64 * 1024;

/** 1 GiB, 512 MiB, 100 KiB... */
function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (n >= size) return `${Math.round((n / size) * 10) / 10} ${unit}`;
  return `${n} bytes`;
}

/** Requests a plugin may have waiting for an answer at once (see mayOpen). */
const MAX_OPEN_REQUESTS = 1000;

/** A program's stdout or stderr is kept up to this many bytes; the rest is dropped (with a warning). */
const MAX_CAPTURED_BYTES = 64 << 20;

/** Thrown (and remembered) when the host ends the run from inside an import: exit() or a clean trap. */
class Stop extends Error {
  constructor(
    readonly reason: EndReason,
    readonly code: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = reason === 'exit' ? 'PluginExit' : 'RuntimeError';
  }
}

export interface LoadedModule {
  /** The module to instantiate, in parts (capMemoryParts: views of the prepared bytes, mostly). */
  parts: Uint8Array[];
  /** The prepared bytes before the memory cap (the same imports, types and code). */
  uncapped: Uint8Array;
  warnings: string[];
  /** Where its compiled code may be kept (a plugin with a cache key, kept beside its binary). */
  codeCache: CodeCacheSlot | null;
}

/**
 * The module to instantiate, metered for fuel and capped in memory. A plugin's prepared module is
 * cached beside its binary; a program is prepared in memory, leaving its folder untouched.
 */
export function loadModule(start: SandboxStart): LoadedModule {
  if (start.mode !== 'plugin') {
    const uncapped = instrumentFuel(new Uint8Array(readFileSync(start.binaryPath)));
    const parts = capMemoryParts(uncapped, start.memoryCapBytes);
    return { parts, uncapped, warnings: [], codeCache: null };
  }
  const given = start.cacheKey ? Buffer.from(start.cacheKey, 'hex') : undefined;
  const key = given && given.length >= 16 ? given : undefined;
  const prepared = loadPrepared(start.binaryPath, {
    ...(key ? { key } : {}),
    ...(start.pluginDir !== undefined ? { root: start.pluginDir } : {}),
    ...(start.binarySha256 !== undefined ? { expectSha256: start.binarySha256 } : {}),
  });
  const parts = capMemoryParts(prepared.bytes, start.memoryCapBytes);
  // Only under the engine's own key: the per-process default would make a cache no later run can use.
  const codeCache =
    key && prepared.mac !== undefined
      ? {
          path: compiledCachePath(start.binaryPath),
          key,
          moduleId: moduleIdOf(prepared.mac, start.memoryCapBytes, partsLength(parts)),
        }
      : null;
  return { parts, uncapped: prepared.bytes, warnings: prepared.warnings, codeCache };
}

/** Collects one output stream of a program, byte for byte, up to MAX_CAPTURED_BYTES. */
class ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  dropped = 0;

  push(bytes: Uint8Array): void {
    const room = MAX_CAPTURED_BYTES - this.size;
    if (bytes.length > room) this.dropped += bytes.length - Math.max(room, 0);
    const kept = bytes.length > room ? bytes.subarray(0, Math.max(room, 0)) : bytes;
    if (kept.length === 0) return;
    this.chunks.push(kept.slice());
    this.size += kept.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Node's Buffer has utf8Slice (what toString('utf8') calls, minus its argument checks). */
type FastBuffer = Buffer & { utf8Slice(start: number, end: number): string };

/** The inside of a JSON string literal: no raw quote, backslash or control character; valid escapes only. */
const JSON_STRING_BODY = /^[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*$/;

/** JSON_STRING_BODY.test; false (take the slow path) when the regex runs out of backtracking stack (millions of escapes). */
function fitsJsonString(body: string): boolean {
  try {
    return JSON_STRING_BODY.test(body);
  } catch {
    return false;
  }
}

function preview(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}...` : JSON.stringify(text);
}

export type RunOutcome = WorkerEnd;

/**
 * Runs the plugin to its end. Never rejects: every ending is an outcome. Asynchronous only while the
 * module compiles (from the compiled-code cache, compiled-cache.ts); the run itself is synchronous.
 */
export async function runPlugin(
  start: SandboxStart,
  ch: WorkerChannel,
  serializer: WasmSerializer | null = null,
): Promise<RunOutcome> {
  const budget = start.fuel;
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, budget);
  const program = start.mode === 'program';
  const captured = program ? { stdout: new ByteSink(), stderr: new ByteSink() } : null;
  let memory: WebAssembly.Memory | null = null;
  let stop: Stop | null = null;
  let wasi: Wasi | null = null;
  const cap = start.memoryCapBytes;

  /** Fuel used when the run was stopped from inside an import (the counter is poisoned then). */
  let fuelAtStop: number | null = null;
  const fuelUsed = (): number => {
    if (fuelAtStop !== null) return fuelAtStop;
    const left = fuel.value;
    return Number(left < 0n ? budget : budget - left);
  };
  const peakMemory = (): number => (memory ? memory.buffer.byteLength : 0);
  const hostLog = (level: LogLevel, message: string) =>
    ch.emit({ type: 'log', t: Date.now(), level, message, source: 'host' });
  // Every value the plugin sends leaves the sandbox bounded in depth and size (bounded.ts), so no
  // thread that serialises it later (the engine, the CLI, the app) can be made to overflow its stack.
  const cutLog = (what: string, cut: string | null) => {
    if (cut) hostLog('warn', `Plugin '${start.pluginName}' sent a ${what} ${cut}.`);
  };
  const bounded = (value: unknown, what: string): unknown => {
    const b = boundValue(value);
    cutLog(what, b.cut);
    return b.value;
  };
  const textOf = (value: unknown, what: string): string => {
    const b = boundText(value);
    cutLog(what, b.cut);
    return b.text;
  };
  const hasId = (id: unknown): id is string | number => typeof id === 'string' || typeof id === 'number';

  let codeFromCache: boolean | undefined;
  const finish = (reason: EndReason, code: number, detail: string): RunOutcome => {
    const outcome: RunOutcome = { reason, code, detail, fuelUsed: fuelUsed(), peakMemoryBytes: peakMemory() };
    if (codeFromCache !== undefined) outcome.codeFromCache = codeFromCache;
    try {
      if (captured) {
        for (const [name, sink] of Object.entries(captured))
          if (sink.dropped > 0)
            hostLog(
              'warn',
              `${sink.dropped} bytes of ${name} past the first ${MAX_CAPTURED_BYTES} were dropped.`,
            );
        outcome.stdout = captured.stdout.bytes();
        outcome.stderr = captured.stderr.bytes();
      }
      ch.flush();
    } catch {
      // the controller is gone; nothing to tell
    }
    return outcome;
  };

  // ---- load, compile, link -------------------------------------------------------------------
  let module: WebAssembly.Module;
  let compiled: CompiledModule;
  try {
    const prepared = loadModule(start);
    for (const w of prepared.warnings) hostLog('warn', w);
    applyTiering(chooseTiering(partsLength(prepared.parts))); // tiering.ts: V8's compile strategy for this module
    compiled = await compileWithCodeCache(prepared.parts, prepared.codeCache, serializer);
    module = compiled.module;
    if (compiled.cachedUsed !== null) codeFromCache = compiled.cachedUsed;
    const wrongTypes = program ? [] : checkFledgeSignatures(prepared.uncapped);
    if (wrongTypes.length > 0)
      return finish(
        'error',
        1,
        `its imports do not match the fledge host interface: ${wrongTypes.join('; ')}`,
      );
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof ModuleError) return finish('error', 1, err.message);
    if (e.code === 'ENOENT') return finish('error', 1, `the binary ${start.binaryPath} does not exist`);
    if (err instanceof WebAssembly.CompileError)
      return finish('error', 1, `the file is not a valid WebAssembly module (${e.message})`);
    if (err instanceof RangeError) return finish('memory', 1, e.message);
    return finish('error', 1, e.message);
  }

  const missing = new Set<string>();
  const unknown: string[] = [];
  const fledgeImports: string[] = [];
  const wasiNames: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'fledge' && program) {
      fledgeImports.push(`fledge.${imp.name}`);
    } else if (imp.module === 'fledge' && imp.kind === 'function') {
      const cap = FLEDGE_CAPABILITY_IMPORTS[imp.name];
      if (cap && !start.declared[cap]) missing.add(cap);
      else if (!cap && !FLEDGE_BASIC_IMPORTS.has(imp.name)) unknown.push(`fledge.${imp.name}`);
    } else if (imp.module === 'wasi_snapshot_preview1' && imp.kind === 'function') {
      wasiNames.push(imp.name);
    } else if (imp.module === FUEL_IMPORT_MODULE && imp.name === FUEL_IMPORT_NAME && imp.kind === 'global') {
      // the fuel counter, linked below
    } else {
      unknown.push(`${imp.module}.${imp.name} (${imp.kind})`);
    }
  }
  if (fledgeImports.length > 0)
    return finish(
      'error',
      1,
      `imports the fledge host interface (${fledgeImports.join(', ')}), which a plain WASI program does not get`,
    );
  if (missing.size > 0)
    return finish(
      'error',
      1,
      `imports functions that require capabilities not granted: ${[...missing].sort().join(', ')}`,
    );
  if (unknown.length > 0)
    return finish('error', 1, `imports things the host does not provide: ${unknown.join(', ')}`);
  if (!WebAssembly.Module.exports(module).some((e) => e.name === '_start' && e.kind === 'function'))
    return finish('error', 1, 'has no _start function to run (is it a WASI command module?)');

  // ---- events ----------------------------------------------------------------------------------
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stdoutDecoder = new TextDecoder('utf-8');
  const stderrDecoder = new TextDecoder('utf-8');
  let stderrPartial = '';
  // Only the new text is split (re-splitting the pending line on every write would be quadratic in
  // a line written a byte at a time), and a line longer than MAX_STDERR_LINE is passed on in pieces.
  const emitStderr = (text: string, final: boolean) => {
    const t = Date.now();
    const parts = text.split('\n');
    for (let k = 0; k < parts.length; k++) {
      if (k > 0) {
        ch.emit({ type: 'stderr', t, line: stderrPartial });
        stderrPartial = '';
      }
      stderrPartial += parts[k]!;
      while (stderrPartial.length > MAX_STDERR_LINE) {
        ch.emit({ type: 'stderr', t, line: stderrPartial.slice(0, MAX_STDERR_LINE) });
        stderrPartial = stderrPartial.slice(MAX_STDERR_LINE);
      }
    }
    if (final && stderrPartial !== '') {
      ch.emit({ type: 'stderr', t, line: stderrPartial });
      stderrPartial = '';
    }
  };

  // ---- the inbound side: what recv delivers ----------------------------------------------------
  const encoder = new TextEncoder();
  const inbound: Uint8Array[] = program ? [] : [encoder.encode(start.init)];
  /** Request ids the plugin is waiting on (a person's answer, a host result). recv blocks while any is open. */
  const waiting = new Set<string>();
  /** Request id -> the id exactly as the plugin wrote it (a number stays a number in the response). */
  const rawIds = new Map<string, unknown>();
  /** Host call id -> the raw request id its result answers (requests sent as messages: load, exec, metadata). */
  const responseFor = new Map<number, unknown>();
  let current: Uint8Array | null = null;
  let offset = 0;
  let nextCallId = 1;
  const hostResults = new Map<number, unknown>();

  const respondLater = (id: unknown, value: unknown) => {
    inbound.push(encoder.encode(JSON.stringify({ type: 'response', id, value })));
  };
  const accept = (msg: ToWorkerSync) => {
    if (msg.kind === 'start') return; // one run per sandbox: a second start is ignored
    if (msg.kind === 'hostResult') {
      if (responseFor.has(msg.callId)) {
        const raw = responseFor.get(msg.callId);
        responseFor.delete(msg.callId);
        waiting.delete(String(raw));
        respondLater(raw, msg.value);
      } else hostResults.set(msg.callId, msg.value);
    } else if (msg.kind === 'answer') {
      if (!waiting.has(msg.id) || !rawIds.has(msg.id)) return; // not asked, or answered already
      const raw = rawIds.get(msg.id);
      rawIds.delete(msg.id);
      waiting.delete(msg.id);
      respondLater(raw, msg.value);
    } else {
      waiting.clear();
      inbound.push(encoder.encode(JSON.stringify({ type: 'cancel', reason: msg.reason })));
    }
  };
  const drain = () => {
    for (let m = ch.receive(false); m; m = ch.receive(false)) accept(m);
  };
  const awaitResult = (callId: number): unknown => {
    ch.flush();
    while (!hostResults.has(callId)) {
      const m = ch.receive(true);
      if (m) accept(m);
    }
    const v = hostResults.get(callId);
    hostResults.delete(callId);
    return v;
  };

  // ---- capability routing ------------------------------------------------------------------------
  const plugin = start.pluginName;
  const granted = start.granted;
  // "What it touched": file opens and refused requests, as events; bounded so a loop cannot flood them.
  let touchedLeft = 10_000;
  const touched = (event: RunEvent): void => {
    if (touchedLeft > 0) ch.emit(event);
    else if (touchedLeft === 0)
      hostLog(
        'info',
        `Plugin '${plugin}' opened or asked for more than 10,000 things; the rest are not listed.`,
      );
    touchedLeft--;
  };
  const denied = (capability: string, what: string): void =>
    touched({ type: 'denied', t: Date.now(), capability, what });
  const execDeniedResult = () => execDenied(plugin);
  /** Synchronous host operation (for the import functions): its JSON result text. */
  const hostNow = (op: HostOp, payload: unknown): string => {
    const callId = nextCallId++;
    if (!hostCallChecked(callId, op, payload)) return 'null';
    return JSON.stringify(awaitResult(callId) ?? null);
  };

  // ---- ending from inside an import -------------------------------------------------------------
  /**
   * Remembers how the run ends (the first ending wins) and makes it sticky. The Stop thrown into wasm
   * is a JS exception, which the plugin could catch (catch_all) and go on: so the fuel counter is
   * also poisoned, and the next fuel check (a loop header, a function entry) traps for good. The
   * fuel used is read first: the counter was written back before the import was called.
   */
  const halt = (s: Stop): Stop => {
    if (stop) return stop;
    stop = s;
    fuelAtStop = fuelUsed();
    fuel.value = POISONED_FUEL;
    return s;
  };

  // ---- bounds-checked memory access ------------------------------------------------------------
  const trap = (detail: string): never => {
    throw halt(new Stop('trap', 1, detail));
  };
  const checkStop = () => {
    if (stop) throw stop;
  };
  let memBuffer: Buffer | null = null;
  /** A Buffer over the module's memory (re-made when memory.grow replaced the ArrayBuffer). */
  const memoryBuffer = (): Buffer => {
    const ab = memory!.buffer;
    if (!memBuffer || memBuffer.buffer !== ab) memBuffer = Buffer.from(ab);
    return memBuffer;
  };
  const range = (fn: string, ptr: number, len: number): Uint8Array => {
    checkRange(fn, ptr, len);
    return new Uint8Array(memory!.buffer, ptr, len);
  };
  const checkRange = (fn: string, ptr: number, len: number): void => {
    if (!memory) {
      trap(
        `fledge.${fn} was called but the module's memory is not available (no exported "memory", or called from a start function)`,
      );
      return;
    }
    if (ptr < 0 || len < 0) trap(`fledge.${fn} was given a negative pointer or length (${ptr}, ${len})`);
    const size = memory.buffer.byteLength;
    if (ptr + len > size)
      trap(
        `fledge.${fn} was given the range ${ptr}..${ptr + len}, outside the module's memory (${size} bytes)`,
      );
  };
  const readJson = (fn: string, ptr: number, len: number): { ok: true; value: unknown } | { ok: false } => {
    const bytes = range(fn, ptr, len);
    try {
      return { ok: true, value: JSON.parse(utf8.decode(bytes)) };
    } catch {
      hostLog('warn', `Plugin '${plugin}' passed malformed JSON to fledge.${fn}; ignored.`);
      return { ok: false };
    }
  };

  // ---- outbound messages -----------------------------------------------------------------------
  // JSON.parse takes any depth, but serialising (JSON.stringify, structured clone) recurses: a value
  // nested deeply enough overflows the host's stack. That is the plugin's malformed message, not its
  // stack overflow: skipped with a warning, before the request is counted as open.
  const tooDeep = (e: unknown, what: string): boolean => {
    if (!(e instanceof RangeError) && !(e instanceof Error && e.name === 'DataCloneError')) return false;
    hostLog(
      'warn',
      `Plugin '${plugin}' sent a ${what} message the host cannot take (${e.message}); skipped.`,
    );
    return true;
  };
  /**
   * Whether a request (to a person, or a host call answered through recv) may be opened: not while
   * one with the same id is open, and not past MAX_OPEN_REQUESTS (each open one holds state here and
   * in the engine, and a person cannot answer thousands anyway).
   */
  let duplicateIds = 0;
  let overOpenLimit = 0;
  const mayOpen = (id: string, type: string): boolean => {
    if (waiting.has(id)) {
      if (duplicateIds++ === 0)
        hostLog(
          'warn',
          `Plugin '${plugin}' sent a ${type} request with the id of one still open (${preview(id)}); skipped (and any more).`,
        );
      return false;
    }
    if (waiting.size < MAX_OPEN_REQUESTS) return true;
    if (overOpenLimit++ === 0)
      hostLog(
        'warn',
        `Plugin '${plugin}' has ${MAX_OPEN_REQUESTS} requests waiting for answers; further ones are skipped until some are answered.`,
      );
    return false;
  };
  const emitChecked = (ev: RunEvent): boolean => {
    let json: string;
    try {
      json = JSON.stringify(ev);
    } catch (e) {
      if (tooDeep(e, ev.type)) return false;
      throw e;
    }
    ch.emitJson(json);
    return true;
  };
  const hostCallChecked = (callId: number, op: HostOp, payload: unknown): boolean => {
    try {
      ch.hostCall(callId, op, bounded(payload, `${op} request`));
    } catch (e) {
      if (tooDeep(e, op)) return false;
      throw e;
    }
    return true;
  };

  const OUTPUT_PREFIX = '{"type":"output","text":"';
  const handleMessage = (text: string) => {
    // Fast path for the common {"type":"output","text":"..."}: when the string body is valid JSON
    // (checked by JSON_STRING_BODY, a linear regex), splice the plugin's own text into the event
    // instead of parsing it and serialising it again. The engine parses the batch: same result.
    if (text.startsWith(OUTPUT_PREFIX) && text.endsWith('"}')) {
      const body = text.slice(OUTPUT_PREFIX.length, -2);
      if (fitsJsonString(body)) {
        ch.emitJson(`{"type":"output","t":${Date.now()},"text":"${body}"}`);
        return;
      }
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text);
    } catch {
      hostLog('warn', `Plugin '${plugin}' sent malformed JSON (skipped): ${preview(text)}`);
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.type !== 'string') {
      hostLog('warn', `Plugin '${plugin}' sent a message without a "type" (skipped): ${preview(text)}`);
      return;
    }
    const t = Date.now();
    const type = msg.type;
    switch (type) {
      case 'output': {
        const out = typeof msg.text === 'string' ? msg.text : typeof msg.data === 'string' ? msg.data : null;
        if (out === null)
          hostLog('warn', `Plugin '${plugin}' sent an output message without text (skipped).`);
        else ch.emit({ type: 'output', t, text: out });
        return;
      }
      case 'log': {
        const level = LOG_LEVELS.has(msg.level as LogLevel) ? (msg.level as LogLevel) : 'info';
        ch.emit({
          type: 'log',
          t,
          level,
          message: textOf(msg.message ?? '', 'log message'),
          source: 'plugin',
        });
        return;
      }
      case 'progress': {
        const ev: RunEvent & { type: 'progress' } = { type: 'progress', t };
        if (typeof msg.message === 'string') ev.message = textOf(msg.message, 'progress message');
        if (typeof msg.current === 'number') ev.current = msg.current;
        if (typeof msg.total === 'number') ev.total = msg.total;
        if (msg.done === true) ev.done = true;
        ch.emit(ev);
        return;
      }
      case 'prompt':
      case 'confirm':
      case 'select':
      case 'multi_select': {
        if (!hasId(msg.id)) {
          hostLog('warn', `Plugin '${plugin}' sent a ${type} request without an id (skipped).`);
          return;
        }
        const id = String(msg.id);
        if (!mayOpen(id, type)) return;
        const ev: RunEvent & { type: 'request' } = {
          type: 'request',
          t,
          id,
          kind: type as RequestKind,
          message: textOf(msg.message ?? '', `${type} question`),
        };
        if (Array.isArray(msg.options))
          ev.options = msg.options.slice(0, MAX_OPTIONS).map((o) => textOf(o, `${type} option`));
        if (msg.default !== undefined) ev.default = bounded(msg.default, `${type} default value`);
        if (Array.isArray(msg.defaults))
          ev.defaults = msg.defaults.slice(0, MAX_OPTIONS).filter((d) => typeof d === 'number');
        if (typeof msg.validate === 'string')
          ev.validate = textOf(msg.validate, `${type} validation pattern`);
        if (!emitChecked(ev)) return;
        waiting.add(id);
        rawIds.set(id, msg.id);
        ch.flush();
        return;
      }
      case 'store': {
        if (typeof msg.key !== 'string') {
          hostLog('warn', `Plugin '${plugin}' sent a store message without a key (skipped).`);
          return;
        }
        if (granted.store) hostNow('storeSet', { key: msg.key, value: msg.value });
        else denied('store', `remember "${msg.key.slice(0, 256)}"`);
        return;
      }
      case 'load':
      case 'exec':
      case 'metadata': {
        if (!hasId(msg.id)) {
          hostLog('warn', `Plugin '${plugin}' sent a ${type} request without an id (skipped).`);
          return;
        }
        const cap = type === 'load' ? 'store' : type;
        if (!granted[cap]) {
          const command = type === 'exec' ? textOf(msg.command ?? '', 'exec command') : '';
          const refused = refusedRequest(plugin, type, msg, command, t);
          denied(cap, refused.what);
          if (refused.exec) {
            ch.emit(refused.exec.event);
            respondLater(msg.id, refused.exec.result);
          } else respondLater(msg.id, type === 'load' ? null : {});
          return;
        }
        if (!mayOpen(String(msg.id), type)) return;
        const op: HostOp = type === 'load' ? 'storeGet' : type;
        const payload =
          type === 'load'
            ? { key: msg.key }
            : type === 'exec'
              ? { command: msg.command, cwd: msg.cwd, timeout: msg.timeout }
              : { keys: msg.keys };
        const callId = nextCallId++;
        if (!hostCallChecked(callId, op, payload)) return;
        waiting.add(String(msg.id));
        responseFor.set(callId, msg.id);
        return;
      }
      case 'response':
      case 'init':
      case 'cancel':
        hostLog('warn', `Plugin '${plugin}' sent a "${type}" message, which only the host sends (skipped).`);
        return;
      default:
        hostLog('warn', `Plugin '${plugin}' sent a message of unknown type ${preview(type)} (skipped).`);
    }
  };

  /** Puts a host call's result first in line for the next recv; returns its length in bytes. */
  const deliverNext = (result: string): number => {
    const bytes = encoder.encode(result);
    if (current) inbound.unshift(bytes);
    else {
      current = bytes;
      offset = 0;
    }
    return bytes.length;
  };

  const fledge = {
    send(ptr: number, len: number): void {
      if (stop) throw stop;
      // Inline bounds check (the hot path); checkRange words the trap.
      const buf = memory && ptr >= 0 && len >= 0 ? memoryBuffer() : null;
      if (!buf || ptr + len > buf.length) checkRange('send', ptr, len);
      const text = (buf as FastBuffer).utf8Slice(ptr, ptr + len);
      // utf8Slice replaces bad sequences with U+FFFD; only then is a (slower) strict check needed.
      if (text.includes('\uFFFD') && !isUtf8(buf!.subarray(ptr, ptr + len))) {
        hostLog('warn', `Plugin '${plugin}' sent a message that is not valid UTF-8 (skipped).`);
        return;
      }
      try {
        handleMessage(text);
      } catch (e) {
        if (e instanceof Stop || !tooDeep(e, 'malformed')) throw e;
      }
    },
    recv(ptr: number, maxLen: number): number {
      checkStop();
      const dest = range('recv', ptr, maxLen);
      if (maxLen === 0) return 0;
      if (!current) {
        drain();
        while (inbound.length === 0 && waiting.size > 0) {
          ch.flush();
          const m = ch.receive(true);
          if (m) accept(m);
        }
        const next = inbound.shift();
        if (!next) return 0;
        current = next;
        offset = 0;
      }
      const n = Math.min(maxLen, current.length - offset);
      // Re-take the view: memory may have grown (detaching the old buffer) while we were blocked.
      (memory ? new Uint8Array(memory.buffer, ptr, maxLen) : dest).set(current.subarray(offset, offset + n));
      offset += n;
      if (offset >= current.length) current = null;
      return n;
    },
    exit(code: number): never {
      checkStop();
      throw halt(new Stop('exit', code, `exit(${code})`));
    },
    exec(ptr: number, len: number): number {
      checkStop();
      const req = readJson('exec', ptr, len);
      let result: string;
      if (!granted.exec) {
        const r = execDeniedResult();
        const command =
          req.ok && req.value && typeof req.value === 'object'
            ? (req.value as { command?: unknown }).command
            : '';
        const commandText = textOf(command ?? '', 'exec command');
        denied('exec', `run "${commandText}"`);
        ch.emit({
          type: 'exec',
          t: Date.now(),
          command: commandText,
          cwd: null,
          code: r.code,
          durationMs: 0,
        });
        result = JSON.stringify(r);
      } else if (!req.ok) {
        result = JSON.stringify({ code: 2, stdout: '', stderr: 'malformed exec request (not JSON)' });
      } else result = hostNow('exec', req.value);
      return deliverNext(result);
    },
    store_set(ptr: number, len: number): void {
      checkStop();
      const req = readJson('store_set', ptr, len);
      if (!granted.store) denied('store', 'remember a value');
      if (!granted.store || !req.ok) return;
      const v = req.value as { key?: unknown; value?: unknown } | null;
      if (!v || typeof v.key !== 'string') {
        hostLog('warn', `Plugin '${plugin}' called store_set without a key; ignored.`);
        return;
      }
      // Waits until the host has written it: the store's order is kept, and a plugin cannot pile up
      // unbounded work in the engine by storing in a tight loop.
      hostNow('storeSet', { key: v.key, value: v.value });
    },
    store_get(ptr: number, len: number): number {
      checkStop();
      const keyBytes = range('store_get', ptr, len);
      let result = 'null';
      if (granted.store) {
        let key: string | null = null;
        try {
          key = utf8.decode(keyBytes);
        } catch {
          hostLog('warn', `Plugin '${plugin}' passed a store key that is not valid UTF-8; answered null.`);
        }
        if (key !== null) result = hostNow('storeGet', { key });
      } else denied('store', 'read back a remembered value');
      return deliverNext(result);
    },
    metadata(ptr: number, len: number): number {
      checkStop();
      const req = readJson('metadata', ptr, len);
      if (!granted.metadata) denied('metadata', 'read project details');
      const result = granted.metadata && req.ok ? hostNow('metadata', { keys: req.value }) : '{}';
      return deliverNext(result);
    },
  };

  // ---- WASI --------------------------------------------------------------------------------------
  const wasiOptions: WasiOptions = {
    ...start.wasi,
    onOpen: (mount, path, access) => touched({ type: 'file', t: Date.now(), mount, path, access }),
    onQuotaFull: (guestPath, limitBytes) =>
      hostLog(
        'warn',
        `Plugin '${start.pluginName}' filled its data folder (${guestPath}) to its quota of ${formatBytes(limitBytes)}: writes there fail with "no space left on device" until it frees some.`,
      ),
    virtualNanos: () => {
      const left = fuel.value;
      return left < 0n ? budget : budget - left;
    },
    stdout: captured
      ? (bytes) => captured.stdout.push(bytes)
      : (bytes) => {
          const text = stdoutDecoder.decode(bytes, { stream: true });
          if (text) ch.emit({ type: 'output', t: Date.now(), text });
        },
    stderr: captured
      ? (bytes) => captured.stderr.push(bytes)
      : (bytes) => emitStderr(stderrDecoder.decode(bytes, { stream: true }), false),
  };
  try {
    wasi = createWasi(wasiOptions);
  } catch (err) {
    return finish('error', 1, `WASI could not be set up: ${(err as Error).message}`);
  }
  const wasiImports: Record<string, Function> = {};
  const unknownWasi = wasiNames.filter((name) => !(name in wasi.imports));
  if (unknownWasi.length > 0) {
    wasi.close();
    return finish(
      'error',
      1,
      `imports things the host does not provide: ${unknownWasi.map((n) => `wasi_snapshot_preview1.${n}`).join(', ')}`,
    );
  }
  for (const name of wasiNames) {
    const fn = wasi.imports[name] as Function;
    wasiImports[name] = (...args: unknown[]) => {
      checkStop();
      try {
        return fn(...args);
      } catch (err) {
        if (err instanceof WasiExit) halt(new Stop('exit', err.code, `proc_exit(${err.code})`));
        throw err;
      }
    };
  }

  const imports: WebAssembly.Imports = {
    ...(program ? {} : { fledge: fledge as unknown as WebAssembly.ModuleImports }),
    wasi_snapshot_preview1: wasiImports as WebAssembly.ModuleImports,
    [FUEL_IMPORT_MODULE]: { [FUEL_IMPORT_NAME]: fuel },
  };

  // ---- run ---------------------------------------------------------------------------------------
  let thrown: unknown = null;
  const startedAt = nowMs();
  try {
    const instance = new WebAssembly.Instance(module, imports);
    const mem = instance.exports.memory;
    if (mem instanceof WebAssembly.Memory) {
      memory = mem;
      wasi.setMemory(mem);
      adviseHugePages(mem, cap); // huge-pages.ts
    }
    (instance.exports._start as () => void)();
  } catch (err) {
    thrown = err;
  }
  try {
    const tail = stdoutDecoder.decode();
    if (tail) ch.emit({ type: 'output', t: Date.now(), text: tail });
    emitStderr(stderrDecoder.decode(), true);
    wasi.close();
  } catch {
    // closing is best effort
  }
  // The output is out first; then, while the module is still here, its compiled code is saved.
  try {
    ch.flush();
    const warning = compiled.keep(nowMs() - startedAt);
    if (warning) hostLog('warn', warning);
  } catch {
    // a cache is an optimisation only
  }

  // ---- how did it end? -------------------------------------------------------------------------
  const s = stop as Stop | null;
  if (s) return finish(s.reason, s.code, s.detail);
  if (thrown === null) return finish('exit', 0, '_start returned');
  if (thrown instanceof WasiExit) return finish('exit', thrown.code, `proc_exit(${thrown.code})`);
  if (fuel.value < 0n) return finish('fuel', 1, 'fuel exhausted');
  if (thrown instanceof WebAssembly.LinkError)
    return finish('error', 1, `its imports do not match what the host provides (${thrown.message})`);
  const e = thrown as Error;
  const message = e?.message ?? String(thrown);
  if (e instanceof RangeError && /call stack/i.test(message)) return finish('stack', 1, message);
  if (e instanceof RangeError && /memory/i.test(message)) return finish('memory', 1, message);
  if (e instanceof WebAssembly.RuntimeError) {
    if (memory && memory.buffer.byteLength + PAGE > cap) return finish('memory', 1, message);
    return finish('trap', 1, message);
  }
  return finish('trap', 1, `${e?.name ?? 'Error'}: ${message}`);
}
