// The main process's check in front of the AppService for calls from a window: a call that would
// grant a plugin high-risk access (grant-rules.ts) is forwarded only after the person allowed it in a
// native dialog the renderer cannot draw, answer or dismiss for them. Cancelled, it fails with
// `grant_cancelled` and changes nothing. One question at a time: a window that asks again while a
// dialog is open is refused, not given a stack of dialogs. Browser mode has no such trusted UI.
import {
  type CallContext,
  type Dispatch,
  IPC_ERROR_CODES,
  isMethodName,
  methods,
  type Reply,
} from '../../../shared/ipc/index.js';
import { GRANT_RULES, type GrantRule } from './grant-rules.js';
import type { GrantQuestion } from './grant-words.js';

export const GRANT_ERRORS = {
  cancelled: IPC_ERROR_CODES.grantCancelled,
  /** Another confirmation is open. */
  busy: 'grant_busy',
  /** A method of the contract nobody classified (grants or not): refused until it is. */
  unchecked: 'grant_unchecked',
} as const;

export interface GrantGuardOptions {
  /** The AppService's dispatch. */
  dispatch: Dispatch;
  /** Asks the person in a native dialog on the window that made the call; true only for "Allow". */
  confirm: (question: GrantQuestion, context: CallContext) => Promise<boolean>;
  /** Told after a cancelled call (e.g. to show a consent request again); never throws into the call. */
  onCancelled?: (method: string, params: unknown) => void;
  rules?: Readonly<Record<string, GrantRule>>;
}

const fail = (code: string, message: string): Reply => ({ ok: false, error: { code, message } });
const LOOKUP: CallContext = { client: 'electron:grant-check' };

export function guardGrants(options: GrantGuardOptions): Dispatch {
  const rules = options.rules ?? GRANT_RULES;
  const lookup = (method: string, params: unknown) => options.dispatch(method, params, LOOKUP);
  let asking = false;
  return async (method, params, context = { client: 'in-process' }) => {
    // Not a method: the dispatcher answers unknown_method.
    if (!isMethodName(method)) return options.dispatch(method, params, context);
    const rule = Object.hasOwn(rules, method) ? rules[method] : undefined;
    if (!rule)
      return fail(
        GRANT_ERRORS.unchecked,
        `Fledge Desktop refused ${method}: it has not been checked for whether it can give a plugin access.`,
      );
    if (!rule.grants) return options.dispatch(method, params, context);
    const parsed = methods[method].request.safeParse(params === undefined ? {} : params);
    // Malformed: the dispatcher refuses it with the field named, before any handler runs.
    if (!parsed.success) return options.dispatch(method, params, context);
    let question: GrantQuestion;
    try {
      question = await rule.check(parsed.data, lookup);
    } catch {
      return fail(
        IPC_ERROR_CODES.internal,
        'Fledge Desktop could not check this grant; nothing was changed.',
      );
    }
    if (question.items.length === 0) return options.dispatch(method, params, context);
    if (asking)
      return fail(
        GRANT_ERRORS.busy,
        'Fledge Desktop is already asking you to confirm a grant: answer that first. Nothing was changed.',
      );
    asking = true;
    let allowed = false;
    try {
      allowed = await options.confirm(question, context);
    } catch {
      allowed = false;
    } finally {
      asking = false;
    }
    if (!allowed) {
      try {
        options.onCancelled?.(method, parsed.data);
      } catch {
        // only a courtesy to the window
      }
      return fail(GRANT_ERRORS.cancelled, 'You cancelled the grant; nothing was changed.');
    }
    return options.dispatch(method, params, context);
  };
}
