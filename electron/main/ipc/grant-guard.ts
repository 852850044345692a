// The main process's check in front of the AppService for calls from a window: a call that would
// grant a plugin high-risk access (grant-rules.ts) is forwarded only after the person allowed it in a
// native dialog the renderer cannot draw, answer or dismiss for them. Cancelled, it fails with
// `grant_cancelled` and changes nothing. One question at a time: a window that asks again while a
// dialog is open is refused, not given a stack of dialogs. And no prompt bombing (asking until a tired
// person clicks Allow): after a Cancel the next question waits 3 s, doubling with each Cancel in a row
// up to 5 minutes; an Allow resets it. Browser mode has no such trusted UI.
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
  /** Asked again too soon after a Cancel. */
  paused: 'grant_paused',
  /** A method of the contract nobody classified (grants or not): refused until it is. */
  unchecked: 'grant_unchecked',
} as const;

export interface GrantGuardOptions {
  /** The AppService's dispatch. */
  dispatch: Dispatch;
  /** Asks the person in a native dialog on the window that made the call; true only for "Allow". */
  confirm: (question: GrantQuestion, context: CallContext) => Promise<boolean>;
  /** Told after a call refused for the person (cancelled, paused, busy): e.g. to offer a consent again. */
  onRefused?: (method: string, params: unknown) => void;
  rules?: Readonly<Record<string, GrantRule>>;
  /** The clock (tests move it). */
  now?: () => number;
}

/** How long to wait before asking again after `cancels` Cancels in a row. */
export function pauseAfter(cancels: number): number {
  return cancels <= 0 ? 0 : Math.min(3000 * 2 ** (cancels - 1), 5 * 60_000);
}

const fail = (code: string, message: string): Reply => ({ ok: false, error: { code, message } });
const LOOKUP: CallContext = { client: 'electron:grant-check' };

export function guardGrants(options: GrantGuardOptions): Dispatch {
  const rules = options.rules ?? GRANT_RULES;
  const lookup = (method: string, params: unknown) => options.dispatch(method, params, LOOKUP);
  const now = options.now ?? (() => Date.now());
  let asking = false;
  let cancels = 0;
  let quietUntil = 0;
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
    // Nothing high-risk, as the files are now: it goes through only if they still are at the engine.
    if (question.items.length === 0)
      return options.dispatch(method, params, { ...context, filesAsApproved: true });
    const refuse = (code: string, message: string): Reply => {
      try {
        options.onRefused?.(method, parsed.data);
      } catch {
        // only a courtesy to the window
      }
      return fail(code, message);
    };
    if (asking)
      return refuse(
        GRANT_ERRORS.busy,
        'Fledge Desktop is already asking you to confirm a grant: answer that first. Nothing was changed.',
      );
    const wait = quietUntil - now();
    if (wait > 0)
      return refuse(
        GRANT_ERRORS.paused,
        `You cancelled a grant a moment ago, so Fledge Desktop will not ask again for ${Math.ceil(wait / 1000)} s. Nothing was changed.`,
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
      cancels++;
      quietUntil = now() + pauseAfter(cancels);
      return refuse(GRANT_ERRORS.cancelled, 'You cancelled the grant; nothing was changed.');
    }
    cancels = 0;
    return options.dispatch(method, params, context);
  };
}
