// The fledge-v1 protocol with one native plugin, one JSON object per line: what each line from the
// plugin becomes (run events, host calls, requests for a person) and what the host writes back
// (`response`, `cancel`). The same events and the same denials as a WASM run (electron/sandbox/
// runtime.ts), so the run view cannot tell them apart. Lines that are not JSON objects with a known
// `type` are logged and skipped, as the fledge CLI does; it never answers a malformed request. Every
// value the plugin sends is bounded as a WASM run bounds it (sandbox/bounded.ts), so nothing it sends
// can overflow the stack of the engine, the CLI or the app when they serialise it.
import type { Capabilities } from '../../../shared/capabilities.js';
import { boundText, boundValue, MAX_OPTIONS } from '../../sandbox/bounded.js';
import { refusedRequest } from '../../sandbox/host-services.js';
import type { HostOp, LogLevel, RequestKind, RunEvent } from '../../sandbox/protocol.js';

export interface SessionOutput {
  /** A run event, in order. */
  event(event: RunEvent): void;
  /** A host call the engine serves (through the same host services and grant checks as WASM). */
  hostCall(callId: number, op: HostOp, payload: unknown): void;
  /** One line for the plugin's stdin (without the newline). */
  write(line: string): void;
}

/** Requests a plugin may have open at once (as for WASM runs). */
export const MAX_OPEN_REQUESTS = 1000;

const LOG_LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);
const QUESTIONS = new Set(['prompt', 'confirm', 'select', 'multi_select']);

function preview(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}...` : JSON.stringify(text);
}

/** An id as the protocol allows it: a string (the CLI), or a number (kept as a number in the response). */
function requestId(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}

export class ProtocolSession {
  /** Host call id -> the plugin's request id (null: no reply expected, a store write). */
  private readonly calls = new Map<number, { raw: unknown; id: string } | null>();
  /** Request id -> the id as the plugin wrote it, for requests waiting for a person or the host. */
  private readonly open = new Map<string, unknown>();
  private nextCallId = 1;
  private warnedOpenLimit = false;
  /** Denials reported (as a WASM run reports them: at most 10,000, then one line). */
  private deniedLeft = 10_000;

  constructor(
    private readonly plugin: string,
    private readonly granted: Capabilities,
    private readonly out: SessionOutput,
  ) {}

  /** Host calls sent and not answered yet (the caller holds back the plugin's output past a bound). */
  get pendingHostCalls(): number {
    return this.calls.size;
  }

  sendInit(init: string): void {
    this.out.write(init);
  }

  cancel(reason: 'user_interrupt' | 'timeout'): void {
    this.out.write(JSON.stringify({ type: 'cancel', reason }));
  }

  /** A person's answer (the engine checked that the request is open). */
  answer(id: string, value: unknown): void {
    if (!this.open.has(id)) return;
    const raw = this.open.get(id);
    this.open.delete(id);
    this.respond(raw, value);
  }

  hostResult(callId: number, value: unknown): void {
    const call = this.calls.get(callId);
    if (call === undefined) return;
    this.calls.delete(callId);
    if (call === null) return;
    this.open.delete(call.id);
    this.respond(call.raw, value);
  }

  handleLine(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text);
    } catch {
      this.warn(`sent a line that is not JSON (skipped): ${preview(text)}`);
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.type !== 'string') {
      this.warn(`sent a message without a "type" (skipped): ${preview(text)}`);
      return;
    }
    const t = Date.now();
    const type = msg.type;
    switch (type) {
      case 'output': {
        const out = typeof msg.text === 'string' ? msg.text : typeof msg.data === 'string' ? msg.data : null;
        if (out === null) {
          this.warn('sent an output message without text (skipped).');
          return;
        }
        this.out.event({ type: 'output', t, text: out });
        return;
      }
      case 'log': {
        const level = LOG_LEVELS.has(msg.level as LogLevel) ? (msg.level as LogLevel) : 'info';
        this.out.event({
          type: 'log',
          t,
          level,
          message: this.textOf(msg.message ?? '', 'log message'),
          source: 'plugin',
        });
        return;
      }
      case 'progress': {
        const ev: RunEvent & { type: 'progress' } = { type: 'progress', t };
        if (typeof msg.message === 'string') ev.message = this.textOf(msg.message, 'progress message');
        if (typeof msg.current === 'number') ev.current = msg.current;
        if (typeof msg.total === 'number') ev.total = msg.total;
        if (msg.done === true) ev.done = true;
        this.out.event(ev);
        return;
      }
      case 'store':
        this.store(msg);
        return;
      case 'load':
      case 'exec':
      case 'metadata':
        this.request(type, msg, t);
        return;
      case 'response':
      case 'init':
      case 'cancel':
        this.warn(`sent a "${type}" message, which only the host sends (skipped).`);
        return;
      default:
        if (QUESTIONS.has(type)) {
          this.question(type as RequestKind, msg, t);
          return;
        }
        this.warn(`sent a message of unknown type ${preview(type)} (skipped).`);
        return;
    }
  }

  // ---- the kinds of message -------------------------------------------------------------------

  private question(kind: RequestKind, msg: Record<string, unknown>, t: number): void {
    const id = this.openable(kind, msg.id);
    if (id === null) return;
    const ev: RunEvent & { type: 'request' } = {
      type: 'request',
      t,
      id,
      kind,
      message: this.textOf(msg.message ?? '', `${kind} question`),
    };
    if (Array.isArray(msg.options))
      ev.options = msg.options.slice(0, MAX_OPTIONS).map((o) => this.textOf(o, `${kind} option`));
    if (msg.default !== undefined) ev.default = this.bounded(msg.default, `${kind} default value`);
    if (Array.isArray(msg.defaults))
      ev.defaults = msg.defaults.slice(0, MAX_OPTIONS).filter((d) => typeof d === 'number');
    if (typeof msg.validate === 'string')
      ev.validate = this.textOf(msg.validate, `${kind} validation pattern`);
    this.open.set(id, msg.id);
    this.out.event(ev);
  }

  private store(msg: Record<string, unknown>): void {
    if (typeof msg.key !== 'string') {
      this.warn('sent a store message without a key (skipped).');
      return;
    }
    if (typeof msg.value !== 'string') {
      this.warn(`sent a store message for ${preview(msg.key)} whose value is not a string (skipped).`);
      return;
    }
    if (!this.granted.store) {
      this.denied('store', `remember "${msg.key.slice(0, 256)}"`); // dropped, as the CLI drops it
      return;
    }
    const callId = this.nextCallId++;
    this.calls.set(callId, null);
    this.out.hostCall(callId, 'storeSet', this.bounded({ key: msg.key, value: msg.value }, 'store request'));
  }

  private request(type: 'load' | 'exec' | 'metadata', msg: Record<string, unknown>, t: number): void {
    const cap = type === 'load' ? 'store' : type;
    if (!this.granted[cap]) {
      const id = requestId(msg.id);
      if (id === null) {
        this.warn(`sent a ${type} request without an id (skipped).`);
        return;
      }
      const command = type === 'exec' ? this.textOf(msg.command ?? '', 'exec command') : '';
      const refused = refusedRequest(this.plugin, type, msg, command, t);
      this.denied(cap, refused.what);
      if (refused.exec) {
        this.out.event(refused.exec.event);
        this.respond(msg.id, refused.exec.result);
      } else this.respond(msg.id, type === 'load' ? null : {});
      return;
    }
    const id = this.openable(type, msg.id);
    if (id === null) return;
    const op: HostOp = type === 'load' ? 'storeGet' : type;
    const payload =
      type === 'load'
        ? { key: msg.key }
        : type === 'exec'
          ? { command: msg.command, cwd: msg.cwd, timeout: msg.timeout }
          : { keys: msg.keys };
    const callId = this.nextCallId++;
    this.open.set(id, msg.id);
    this.calls.set(callId, { raw: msg.id, id });
    this.out.hostCall(callId, op, this.bounded(payload, `${type} request`));
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A request refused for a capability that is not granted ("what it touched"), bounded. */
  private denied(capability: string, what: string): void {
    if (this.deniedLeft > 0) this.out.event({ type: 'denied', t: Date.now(), capability, what });
    else if (this.deniedLeft === 0)
      this.out.event({
        type: 'log',
        t: Date.now(),
        level: 'info',
        message: `Plugin '${this.plugin}' asked for more than 10,000 things it may not have; the rest are not listed.`,
        source: 'host',
      });
    this.deniedLeft--;
  }

  /** The request's id if it may be opened: it has one, it is not open already, and few enough are. */
  private openable(type: string, raw: unknown): string | null {
    const id = requestId(raw);
    if (id === null) {
      this.warn(`sent a ${type} request without a string id (skipped).`);
      return null;
    }
    if (this.open.has(id)) {
      this.warn(`sent a ${type} request with the id of one still open (${preview(id)}); skipped.`);
      return null;
    }
    if (this.open.size >= MAX_OPEN_REQUESTS) {
      if (!this.warnedOpenLimit)
        this.warn(
          `has ${MAX_OPEN_REQUESTS} requests waiting for answers; further ones are skipped until some are answered.`,
        );
      this.warnedOpenLimit = true;
      return null;
    }
    return id;
  }

  private respond(id: unknown, value: unknown): void {
    this.out.write(JSON.stringify({ type: 'response', id, value: value ?? null }));
  }

  /** A structured value from the plugin, bounded; a cut is logged. */
  private bounded(value: unknown, what: string): unknown {
    const b = boundValue(value);
    if (b.cut) this.warn(`sent a ${what} ${b.cut}.`);
    return b.value;
  }

  /** A text for a person from the plugin, bounded; a cut is logged. */
  private textOf(value: unknown, what: string): string {
    const b = boundText(value);
    if (b.cut) this.warn(`sent a ${what} ${b.cut}.`);
    return b.text;
  }

  private warn(what: string): void {
    this.out.event({
      type: 'log',
      t: Date.now(),
      level: 'warn',
      message: `Plugin '${this.plugin}' ${what}`,
      source: 'host',
    });
  }
}
