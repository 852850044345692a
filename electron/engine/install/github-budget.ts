// GitHub's rate limit as the app keeps track of it: what every answer says is left (the
// X-RateLimit-* headers) and, once GitHub said no, the time until it says yes again, so no further
// request is sent before then (each would only be refused). Shared by every GitHubApi of one
// catalog, with a bound on how many catalog look-ups run at once.
import { HostError } from '../host/errors.js';

/** Without a token GitHub allows 60 requests an hour; with one, 5,000. */
export const UNSIGNED_HOURLY_LIMIT = 60;

export interface RateLimitState {
  /** Requests left in this window, as GitHub last said (null: not known yet). */
  remaining: number | null;
  /** When the window resets (epoch ms; null: not known). */
  resetAt: number | null;
  /** Until when GitHub refuses (epoch ms; 0: not refusing). */
  blockedUntil: number;
}

export class GitHubBudget {
  private state: RateLimitState = { remaining: null, resetAt: null, blockedUntil: 0 };
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** Look-ups (each a few requests, one after another) allowed at once. */
    readonly concurrency = 3,
    private readonly now: () => number = Date.now,
  ) {}

  get snapshot(): RateLimitState {
    return { ...this.state };
  }

  /** Whole seconds until GitHub answers again (0 when it is not refusing). */
  secondsBlocked(): number {
    return Math.max(0, Math.ceil((this.state.blockedUntil - this.now()) / 1000));
  }

  /** Requests known to be left in the current window (null when not known, or the window is over). */
  remaining(): number | null {
    const { remaining, resetAt } = this.state;
    if (remaining === null) return null;
    if (resetAt !== null && this.now() >= resetAt) return null;
    return remaining;
  }

  /** Seconds until the current window resets (null when not known). */
  secondsToReset(): number | null {
    const { resetAt } = this.state;
    return resetAt === null ? null : Math.max(0, Math.ceil((resetAt - this.now()) / 1000));
  }

  /** Reads what an answer says about the limit (every answer, refused or not). */
  observe(headers: Headers): void {
    const remaining = Number.parseInt(headers.get('x-ratelimit-remaining') ?? '', 10);
    const reset = Number.parseInt(headers.get('x-ratelimit-reset') ?? '', 10);
    if (Number.isSafeInteger(remaining) && remaining >= 0) this.state.remaining = remaining;
    // Epoch seconds; anything more than a day away is not believed.
    if (Number.isSafeInteger(reset) && reset * 1000 - this.now() < 86_400_000)
      this.state.resetAt = reset * 1000;
  }

  /** GitHub refused for `seconds` (a rate-limit answer). */
  block(seconds: number): void {
    const s = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400) : 60;
    this.state.blockedUntil = Math.max(this.state.blockedUntil, this.now() + s * 1000);
    this.state.remaining = 0;
  }

  /** Runs `work` when fewer than `concurrency` look-ups are running. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    while (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (signal?.aborted) throw new HostError('catalog_cancelled', 'The look-up was stopped.');
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** "in 1 minute", "in 12 minutes" (never "in 0 minutes"). */
export function minutesWords(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/**
 * The rate-limit message, in the words a person acts on. `tokenAdvice` says where a token goes
 * (the app: "add a token in Settings"; the CLI: the environment variables).
 */
export function rateLimitMessage(seconds: number | null, hasToken: boolean, tokenAdvice: string): string {
  const later = seconds !== null && seconds > 0 ? `try again in ${minutesWords(seconds)}` : 'try again later';
  return hasToken
    ? `GitHub's limit for requests with your token is reached; ${later}.`
    : `GitHub's limit for unsigned requests is reached; ${tokenAdvice} or ${later}.`;
}

export const CLI_TOKEN_ADVICE = 'set a GitHub token (FLEDGE_GITHUB_TOKEN or GITHUB_TOKEN)';
export const APP_TOKEN_ADVICE = 'add a token in Settings';
