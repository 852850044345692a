/**
 * `createClient(transport)`: the typed client of the contract, generated from it (one function per
 * method, `on(event)` for events), the same object whether it sits behind Electron's preload or the
 * browser-mode WebSocket. It checks what it sends and everything it receives.
 */
import type { Dispatch } from './dispatcher.js';
import { describeIssues, IPC_ERROR_CODES, IpcError } from './errors.js';
import { type EventName, type EventPayload, events, isEventName } from './events.js';
import { isMethodName, METHOD_NAMES, type MethodName, methods, type Params, type Result } from './methods.js';
import { type EventBatch, eventBatch, reply } from './wire.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** What a client needs from a transport. Replies and batches arrive untrusted (as `unknown`). */
export interface Transport {
  call(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: (batch: unknown) => void): () => void;
  onStatus?(listener: (status: ConnectionStatus) => void): () => void;
}

type GroupOf<N> = N extends `${infer G}.${string}` ? G : never;
type VerbOf<N, G extends string> = N extends `${G}.${infer V}` ? V : never;
type MethodFn<N extends MethodName> =
  {} extends Params<N>
    ? (params?: Params<N>) => Promise<Result<N>>
    : (params: Params<N>) => Promise<Result<N>>;

/** `fledge.plugins.list()`, `fledge.runs.start({...})`, ... */
export type ContractApi = {
  [G in GroupOf<MethodName>]: { [V in VerbOf<MethodName, G>]: MethodFn<`${G}.${V}` & MethodName> };
};

export interface FledgeApi extends ContractApi {
  /** Calls a method by name (the same as the generated function). */
  call<N extends MethodName>(method: N, params?: Params<N>): Promise<Result<N>>;
  /** Listens to an event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Connection changes (browser mode reconnects; Electron is always connected). */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

export interface ClientOptions {
  /** Told about every message from the host that broke the contract (it is dropped). */
  onProtocolError?: (error: IpcError) => void;
}

export function createClient(transport: Transport, options: ClientOptions = {}): FledgeApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let subscribed = false;
  let epoch: string | null = null;
  let lastSeq = 0;
  const report = (err: IpcError) => options.onProtocolError?.(err);

  const deliver = (name: EventName, payload: unknown) => {
    for (const l of listeners.get(name) ?? []) {
      try {
        l(payload);
      } catch (err) {
        report(
          new IpcError(IPC_ERROR_CODES.internal, `A listener of ${name} failed: ${(err as Error).message}`),
        );
      }
    }
  };

  const onBatch = (raw: unknown) => {
    const parsed = eventBatch.safeParse(raw);
    if (!parsed.success) {
      report(
        new IpcError(
          IPC_ERROR_CODES.invalidEvent,
          describeIssues('An event batch', parsed.error.issues, raw),
        ),
      );
      return;
    }
    const batch: EventBatch = parsed.data;
    if (epoch !== null && batch.epoch !== epoch) {
      deliver('app.resync', { reason: 'Fledge Desktop was restarted; showing its current state.' });
      lastSeq = 0;
    } else if (batch.seq <= lastSeq) {
      return; // seen already (a replay overlapping what arrived)
    } else if (epoch !== null && batch.seq > lastSeq + 1) {
      deliver('app.resync', {
        reason: 'Some updates were missed while disconnected; showing the current state.',
      });
    }
    epoch = batch.epoch;
    lastSeq = batch.seq;
    for (const event of batch.events) {
      if (!isEventName(event.name)) {
        report(new IpcError(IPC_ERROR_CODES.invalidEvent, `The host sent an unknown event "${event.name}".`));
        continue;
      }
      const checked = events[event.name].safeParse(event.payload);
      if (!checked.success) {
        report(
          new IpcError(
            IPC_ERROR_CODES.invalidEvent,
            describeIssues(`The event ${event.name}`, checked.error.issues, event.payload),
          ),
        );
        continue;
      }
      deliver(event.name, checked.data);
    }
  };

  const call = async (method: unknown, params: unknown): Promise<unknown> => {
    if (!isMethodName(method))
      throw new IpcError(IPC_ERROR_CODES.unknownMethod, `Fledge Desktop has no method "${String(method)}".`);
    const spec = methods[method];
    const input = params === undefined ? {} : params;
    const request = spec.request.safeParse(input);
    if (!request.success)
      throw new IpcError(
        IPC_ERROR_CODES.invalidRequest,
        describeIssues(`The request of ${method}`, request.error.issues, input),
      );
    let raw: unknown;
    try {
      raw = await transport.call(method, input);
    } catch (err) {
      if (err instanceof IpcError) throw err;
      throw new IpcError(
        IPC_ERROR_CODES.disconnected,
        `Fledge Desktop did not answer (${(err as Error)?.message ?? 'connection lost'}); try again.`,
      );
    }
    const answer = reply.safeParse(raw);
    if (!answer.success)
      throw new IpcError(
        IPC_ERROR_CODES.invalidResult,
        describeIssues(`The answer of ${method}`, answer.error.issues, raw),
      );
    if (!answer.data.ok) throw new IpcError(answer.data.error.code, answer.data.error.message);
    const result = spec.result.safeParse(answer.data.result);
    if (!result.success)
      throw new IpcError(
        IPC_ERROR_CODES.invalidResult,
        describeIssues(`The answer of ${method}`, result.error.issues, answer.data.result),
      );
    return result.data;
  };

  const api: Record<string, unknown> = {
    call,
    on(event: unknown, listener: unknown) {
      if (!isEventName(event))
        throw new IpcError(IPC_ERROR_CODES.invalidRequest, `There is no event "${String(event)}".`);
      if (typeof listener !== 'function')
        throw new IpcError(IPC_ERROR_CODES.invalidRequest, 'The listener must be a function.');
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as (payload: unknown) => void;
      set.add(l);
      if (!subscribed) {
        subscribed = true;
        transport.subscribe(onBatch);
      }
      return () => {
        set.delete(l);
      };
    },
    onStatus(listener: (status: ConnectionStatus) => void) {
      return transport.onStatus?.(listener) ?? (() => {});
    },
  };
  for (const name of METHOD_NAMES) {
    const [group, verb] = name.split('.') as [string, string];
    if (!api[group]) api[group] = {};
    const target = api[group] as Record<string, unknown>;
    target[verb] = (params?: unknown) => call(name, params);
  }
  return api as unknown as FledgeApi;
}

/**
 * A transport that calls a dispatcher in the same process, with every message serialised as it
 * would be on a real transport (so nothing but plain data crosses). For tests and tools.
 */
export function inProcessTransport(
  dispatch: Dispatch,
  subscribe: (listener: (batch: EventBatch) => void) => () => void,
): Transport {
  const copy = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  return {
    call: async (method, params) => copy(await dispatch(method, copy(params), { client: 'in-process' })),
    subscribe: (listener) => subscribe((batch) => listener(copy(batch))),
  };
}
