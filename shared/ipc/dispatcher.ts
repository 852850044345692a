/**
 * The host side of the contract, for any transport: takes an untrusted (method, params), checks the
 * name and the request against the contract, calls the handler, checks its result, and answers a
 * Reply. Never throws; a bad request never reaches a handler (so it changes nothing).
 */
import { describeIssues, IPC_ERROR_CODES, toErrorData } from './errors.js';
import { isMethodName, type MethodName, methods, type ParsedParams, type Result } from './methods.js';
import type { Reply } from './wire.js';

/** Who is calling (for logs and per-client limits); transports fill it in. */
export interface CallContext {
  /** "electron:<webContentsId>", "ws:<n>", "in-process". */
  client: string;
  /**
   * Set by Electron's grant guard on a call it let through without asking because the plugin's files
   * were approved as they are: a grant or approval then goes through only if they still are (a file
   * changed between the guard's look and the engine's is refused, not approved unasked).
   */
  filesAsApproved?: boolean;
}

export type Handlers = {
  [N in MethodName]: (params: ParsedParams<N>, context: CallContext) => Promise<Result<N>> | Result<N>;
};

export type Dispatch = (method: unknown, params: unknown, context?: CallContext) => Promise<Reply>;

const fail = (code: string, message: string): Reply => ({ ok: false, error: { code, message } });

export function createDispatcher(handlers: Handlers): Dispatch {
  return async (method, params, context = { client: 'in-process' }) => {
    if (!isMethodName(method)) {
      const shown = typeof method === 'string' ? `"${method.slice(0, 128)}"` : 'a call without a method name';
      return fail(IPC_ERROR_CODES.unknownMethod, `Fledge Desktop has no method ${shown}.`);
    }
    const spec = methods[method];
    const parsed = spec.request.safeParse(params === undefined ? {} : params);
    if (!parsed.success)
      return fail(
        IPC_ERROR_CODES.invalidRequest,
        describeIssues(`The request of ${method}`, parsed.error.issues, params),
      );
    let result: unknown;
    try {
      const handler = handlers[method] as (p: unknown, c: CallContext) => unknown;
      result = await handler(parsed.data, context);
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
    const checked = spec.result.safeParse(result);
    if (!checked.success)
      return fail(
        IPC_ERROR_CODES.invalidResult,
        describeIssues(`The answer of ${method} (a bug in Fledge Desktop)`, checked.error.issues, result),
      );
    return { ok: true, result: checked.data };
  };
}
