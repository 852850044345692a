// What counts as a secret when the environment or a URL is shown to a plugin. The rules themselves
// (the fledge CLI 1.8's, widened, and credential value shapes after gitleaks) are in secret-rules.ts.
import {
  DANGEROUS_PREFIXES,
  SAFE_NAMES,
  SECRET_NAME_PARTS,
  SECRET_NAME_SUFFIXES,
  SECRET_NAME_WORDS,
  SECRET_VALUE_SHAPES,
} from './secret-rules.js';

export { SECRET_NAME_PARTS } from './secret-rules.js';

const NAME_WORDS = new Set(SECRET_NAME_WORDS);

/** The words of a variable name, upper-cased: `azureDevopsExtPat` and `AZURE_DEVOPS_EXT_PAT` alike. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== '');
}

export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (SAFE_NAMES.has(upper)) return false;
  if (SECRET_NAME_PARTS.some((p) => upper.includes(p))) return true;
  if (SECRET_NAME_SUFFIXES.some((s) => upper.endsWith(s))) return true;
  if (DANGEROUS_PREFIXES.some((p) => upper.startsWith(p))) return true;
  return nameWords(name).some((w) => NAME_WORDS.has(w));
}

/** The gitleaks rule id of the credential shape `value` holds, or null. */
export function secretValueShape(value: string): string | null {
  for (const [id, shape] of SECRET_VALUE_SHAPES) if (shape.test(value)) return id;
  return null;
}

/** A value that looks like it carries a credential: user:pass@ in a URL, a token by its shape, a key, a JWT. */
export function looksLikeSecretValue(value: string): boolean {
  if (/:\/\/[^/\s@]*:[^/\s@]*@/.test(value)) return true;
  // A URL with any login but the conventional `git` (`https://ghp_token@github.com`: a token alone is
  // a complete credential for GitHub, GitLab, Bitbucket).
  for (const m of value.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/\s@?#]+)@/g))
    if (m[1] !== 'git') return true;
  // user:password@host without a scheme. The CLI 1.8 hides every value holding both '@' and ':',
  // which also hides an ordinary PATH that passes through an npm scope (.../@npmcli/...): this is the
  // same rule narrowed to the credential shape.
  if (/[^\s:@/]+:[^\s:@/]+@[A-Za-z0-9.-]+/.test(value)) return true;
  // Tokens whose shape names them, whatever variable holds them.
  if (secretValueShape(value) !== null) return true;
  if (/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(value)) return true;
  return false;
}

/** The environment a plugin may see through `metadata.env`: every secret-looking name or value removed. */
export function filterEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (isSecretEnvName(k) || looksLikeSecretValue(v)) continue;
    out[k] = v;
  }
  return out;
}

/**
 * A remote URL without credentials: `https://user:token@host/x` -> `https://host/x` (any scheme with
 * an authority: http, https, ssh, git, ftp). scp-style `user@host:path` keeps its user (that is a
 * login name, not a secret: `git@github.com:o/r.git`). A query string or fragment (which can carry
 * tokens) is dropped too.
 */
export function stripUrlCredentials(url: string): string {
  const trimmed = url.trim();
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(trimmed);
  // scp-like `user:secret@host:path`: the login name may stay, a password never.
  if (!m) return trimmed.replace(/^[^\s/@:]+:[^\s/@]*@(?=[^\s/@:]+:)/, '');
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  const path = rest.replace(/[?#].*$/s, '');
  return `${scheme}${host}${path}`;
}

/** `text` with the credentials removed from every URL in it (for error messages that quote git). */
export function redactUrls(text: string): string {
  return text.replace(/\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/@'"]*@/g, '$1');
}
