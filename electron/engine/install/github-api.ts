// GitHub's REST API as the fledge CLI calls it: the same headers, a token only for the API's own
// host, redirects followed by hand (http(s) only, the token dropped when the host changes), every
// answer read under a size cap and turned into a plain-words HostError when it is not a success.
import { describeError, HostError } from '../host/errors.js';
import { CLI_TOKEN_ADVICE, type GitHubBudget, rateLimitMessage } from './github-budget.js';
import { fmtSize } from './limits.js';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
/** A JSON answer larger than this is refused (a search page is ~100 KB). */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface GitHubApiOptions {
  /** The REST API's base URL (GitHub Enterprise: https://HOST/api/v3). */
  baseUrl?: string;
  token?: string | null;
  fetch?: typeof fetch;
  /** Per request, until the answer starts (default 30 s, as the CLI). */
  timeoutMs?: number;
  /** A body that sends nothing for this long is given up (default 60 s). */
  stallMs?: number;
  /** Where the rate limit is tracked (shared by a catalog's look-ups); none: not tracked. */
  budget?: GitHubBudget;
  /** Where a person adds a token, for the rate-limit message (default: the CLI's environment variables). */
  tokenAdvice?: string;
}

/** Where the API is and which token to send: the setting first, then the environment (as the CLI). */
export function githubApiSettings(
  env: Record<string, string | undefined>,
  setting: { baseUrl?: string | null; token?: string | null } = {},
): { baseUrl: string; token: string | null } {
  const baseUrl = setting.baseUrl || env.FLEDGE_GITHUB_API_URL || DEFAULT_GITHUB_API_URL;
  const token = setting.token || env.FLEDGE_GITHUB_TOKEN || env.GITHUB_TOKEN || null;
  return { baseUrl, token: token?.trim() || null };
}

/** Checks a URL the API answered with (or was configured with): http(s), no credentials in it. */
export function checkedHttpUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HostError('github_bad_url', `${what} is not a web address ("${raw.slice(0, 200)}").`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new HostError(
      'github_bad_url',
      `${what} uses ${url.protocol.replace(/:$/, '')}://, but only http and https downloads are allowed.`,
    );
  if (url.username || url.password)
    throw new HostError('github_bad_url', `${what} carries a user name or password in the address; refused.`);
  return url;
}

export interface GitHubRequestOptions {
  signal?: AbortSignal;
  accept?: string;
}

export class GitHubApi {
  readonly baseUrl: URL;
  private readonly token: string | null;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly stallMs: number;
  readonly budget: GitHubBudget | null;
  private readonly tokenAdvice: string;

  constructor(options: GitHubApiOptions = {}) {
    this.baseUrl = checkedHttpUrl(options.baseUrl ?? DEFAULT_GITHUB_API_URL, 'The GitHub API address');
    // A token over plain http could be read by anyone on the way: http only for this computer itself.
    if (
      this.baseUrl.protocol === 'http:' &&
      !['127.0.0.1', 'localhost', '[::1]'].includes(this.baseUrl.hostname)
    )
      throw new HostError(
        'github_insecure',
        `The GitHub API address ${this.baseUrl.origin} uses plain http; use https (plain http is accepted only for this computer, e.g. a test server on 127.0.0.1).`,
      );
    this.token = options.token ?? null;
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.stallMs = options.stallMs ?? 60_000;
    this.budget = options.budget ?? null;
    this.tokenAdvice = options.tokenAdvice ?? CLI_TOKEN_ADVICE;
  }

  /** True when requests to the API carry a token. */
  get hasToken(): boolean {
    return this.token !== null;
  }

  /** The plain-words error for GitHub's rate limit, `seconds` before it lifts (null: not known). */
  rateLimited(seconds: number | null): HostError {
    return new HostError('github_rate_limited', rateLimitMessage(seconds, this.hasToken, this.tokenAdvice));
  }

  /** The host people see in messages ("api.github.com"). */
  get host(): string {
    return this.baseUrl.host;
  }

  /** `path` (with its query string) appended to the base URL, exactly as given. */
  urlFor(path: string): string {
    return `${this.baseUrl.href.replace(/\/+$/, '')}${path}`;
  }

  /** GET a JSON answer from `path` under the API (e.g. `/repos/o/r`). */
  async getJson(path: string, options: GitHubRequestOptions = {}): Promise<unknown> {
    const res = await this.get(this.urlFor(path), { accept: 'application/vnd.github.v3+json', ...options });
    const text = await readCapped(res, MAX_JSON_BYTES, `GitHub's answer to ${path.split('?')[0]}`);
    try {
      return JSON.parse(text.toString('utf8'));
    } catch {
      throw new HostError('github_bad_answer', `GitHub's answer to ${path.split('?')[0]} is not valid JSON.`);
    }
  }

  /**
   * GET `url` following up to 5 redirects by hand, and answer the successful Response (body unread).
   * Any other status becomes a HostError in plain words.
   */
  async get(url: string, options: GitHubRequestOptions = {}): Promise<Response> {
    let current = checkedHttpUrl(url, 'The download address');
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.once(current, options);
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel().catch(() => undefined);
        current = checkedHttpUrl(
          new URL(res.headers.get('location')!, current).href,
          `The address ${current.host} redirected to`,
        );
        continue;
      }
      if (res.ok) return res;
      throw await this.statusError(res, current);
    }
    throw new HostError(
      'github_redirect_loop',
      `GitHub redirected more than ${MAX_REDIRECTS} times; gave up.`,
    );
  }

  private statusError(res: Response, url: URL): Promise<HostError> {
    return statusError(res, url, (seconds) => {
      if (url.origin === this.baseUrl.origin) this.budget?.block(seconds ?? 60);
      return this.rateLimited(seconds);
    });
  }

  private async once(url: URL, options: GitHubRequestOptions): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: options.accept ?? 'application/vnd.github.v3+json',
      'User-Agent': 'fledge-cli',
    };
    // The token goes only to the API's own origin: never to a host a redirect or an asset URL names.
    if (this.token && url.origin === this.baseUrl.origin) headers.Authorization = `Bearer ${this.token}`;
    // Once GitHub has said no, nothing more is sent to it until its limit lifts (each would be refused).
    const apiHost = url.origin === this.baseUrl.origin;
    const blocked = apiHost ? (this.budget?.secondsBlocked() ?? 0) : 0;
    if (blocked > 0) throw this.rateLimited(blocked);
    // The time limit covers waiting for the answer to start; a long download is judged by stalls
    // (no bytes for stallMs), so a slow but steady connection still gets a big archive.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    if (options.signal?.aborted) controller.abort();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers, redirect: 'manual', signal: controller.signal });
    } catch (err) {
      if (options.signal?.aborted) throw cancelled();
      if (timedOut)
        throw new HostError(
          'github_unreachable',
          `${url.host} did not answer within ${Math.round(this.timeoutMs / 1000)} s. Check your network connection and try again.`,
        );
      throw new HostError(
        'github_unreachable',
        `Could not reach ${url.host} (${describeCause(err)}). Check your network connection and try again.`,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
    if (apiHost) this.budget?.observe(res.headers);
    if (!res.ok || res.status === 204 || !res.body) return res;
    return new Response(
      stallGuard(res.body, this.stallMs, url.host, () => controller.abort()),
      {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      },
    );
  }
}

/** Passes a body through, failing it (and aborting the request) when no bytes come for `ms`. */
function stallGuard(
  body: ReadableStream<Uint8Array>,
  ms: number,
  host: string,
  abort: () => void,
): ReadableStream<Uint8Array> {
  let idle: NodeJS.Timeout | undefined;
  let ctl: TransformStreamDefaultController<Uint8Array> | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      ctl?.error(
        new HostError(
          'github_stalled',
          `The download from ${host} stopped (nothing arrived for ${Math.max(1, Math.round(ms / 1000))} s). Check your network connection and try again.`,
        ),
      );
      abort();
    }, ms);
    idle.unref();
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(c) {
        ctl = c;
        arm();
      },
      transform(chunk, c) {
        arm();
        c.enqueue(chunk);
      },
      flush() {
        clearTimeout(idle);
      },
    }),
  );
}

export function cancelled(): HostError {
  return new HostError('install_cancelled', 'Cancelled; nothing was installed.');
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? describeError(err);
}

/** Rate limit, missing repository, bad token, server trouble: each in words a person can act on. */
async function statusError(
  res: Response,
  url: URL,
  rateLimited: (seconds: number | null) => HostError,
): Promise<HostError> {
  const body = await readCapped(res, 64 * 1024, 'the error answer').catch(() => Buffer.alloc(0));
  let detail = '';
  try {
    const message = (JSON.parse(body.toString('utf8')) as { message?: unknown }).message;
    if (typeof message === 'string') detail = message.replace(/[\u0000-\u001f]/g, ' ').slice(0, 300);
  } catch {
    // not JSON: no detail
  }
  const remaining = res.headers.get('x-ratelimit-remaining');
  const retryAfter = res.headers.get('retry-after');
  if ((res.status === 403 || res.status === 429) && (remaining === '0' || retryAfter !== null)) {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const waitS =
      retryAfter !== null ? Number(retryAfter) : Number.isFinite(reset) ? reset - Date.now() / 1000 : NaN;
    return rateLimited(Number.isFinite(waitS) && waitS > 0 ? Math.ceil(waitS) : null);
  }
  if (res.status === 401)
    return new HostError(
      'github_bad_token',
      'GitHub did not accept the token (it may have expired); update or remove it.',
    );
  if (res.status === 404)
    return new HostError(
      'github_not_found',
      `${url.host} has nothing at ${url.pathname} (it does not exist, or it is private and needs a token).`,
    );
  if (res.status === 403)
    return new HostError(
      'github_forbidden',
      `${url.host} refused the request (403)${detail ? `: ${detail}` : ''}.`,
    );
  return new HostError(
    'github_failed',
    `${url.host} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${detail ? `: ${detail}` : ''}. Try again later.`,
  );
}

/** Reads a whole body, refusing it as soon as it passes `max` bytes (and before, when it says it will). */
export async function readCapped(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(what, max);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(what, max);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export function tooLarge(what: string, max: number): HostError {
  return new HostError('download_too_large', `${what} is larger than ${fmtSize(max)}; it was refused.`);
}
