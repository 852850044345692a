// What counts as a secret when the environment or a URL is shown to a plugin.

/** Substrings (case-insensitive) of variable names that are never shown. A superset of the CLI's list. */
export const SECRET_NAME_PARTS = [
  'TOKEN',
  'SECRET',
  'KEY',
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'PWD_', // e.g. DB_PWD_... (but not PWD/OLDPWD, handled below)
  'CREDENTIAL',
  'CRED',
  'AUTH',
  'PRIVATE',
  'SESSION',
  'COOKIE',
  'API',
  'SIGNATURE',
  'CERT',
  'JWT',
  'BEARER',
  'OAUTH',
  'SALT',
  'DSN',
  'CONN', // connection strings
];

/** Variables that change how programs load code: not secrets, but not a plugin's business either. */
const DANGEROUS_PREFIXES = ['LD_', 'DYLD_', 'KUBECONFIG', 'NODE_OPTIONS', 'NODE_CHANNEL', 'ELECTRON_'];

const SECRET_NAME_SUFFIXES = ['_URL', '_URI', '_DSN', '_PW', '_PASS', '_PWD'];

export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (SECRET_NAME_PARTS.some((p) => upper.includes(p))) return true;
  if (SECRET_NAME_SUFFIXES.some((s) => upper.endsWith(s))) return true;
  if (DANGEROUS_PREFIXES.some((p) => upper.startsWith(p))) return true;
  return false;
}

const TOKEN_SHAPES =
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abeoprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|sk-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{30,}|AIza[0-9A-Za-z_-]{35})/;

/** A value that looks like it carries a credential: user:pass@ in a URL, or a PEM key, or a JWT. */
export function looksLikeSecretValue(value: string): boolean {
  if (/:\/\/[^/\s@]*:[^/\s@]*@/.test(value)) return true;
  // A URL with any login but the conventional `git` (`https://ghp_token@github.com`: a token alone is
  // a complete credential for GitHub, GitLab, Bitbucket).
  for (const m of value.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/\s@?#]+)@/g))
    if (m[1] !== 'git') return true;
  // Tokens whose shape names them, whatever variable holds them.
  if (TOKEN_SHAPES.test(value)) return true;
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return true;
  if (/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(value)) return true;
  // user:password@host without a scheme. (The CLI hides any value holding both '@' and ':', which
  // also hides an ordinary PATH that passes through an npm scope like .../@npmcli/...; this is the
  // same idea, narrowed to the credential shape.)
  if (/[^\s:@/]+:[^\s:@/]+@[A-Za-z0-9.-]+/.test(value)) return true;
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
