// A stand-in for GitHub's REST API, served on 127.0.0.1 for tests (and the renderer's end-to-end
// test): repository search, repositories, releases (latest / by tag), commits, source archives
// (.tar.gz, wrapped in one folder and carrying a pax global header, as GitHub's are) and release
// assets, plus rate-limit and failure answers on demand, or a budget of requests counted down in
// X-RateLimit-* headers as GitHub does (60 an hour without a token). Every request is logged.
//
//   const gh = await startGitHubStandIn({ repos: [{ owner: 'CorvidLabs', name: 'fledge-x', files: {...} }] });
//   new CatalogService({ configDir, apiBaseUrl: gh.url });   ...   await gh.close();
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

export type FileTree = Record<string, string | Uint8Array>;

export interface StandInAsset {
  name: string;
  content?: string | Uint8Array;
  /** Instead of `content`: this many zero bytes, streamed in 64 KB chunks (for size-cap tests). */
  streamBytes?: number;
  /** Send no Content-Length (a server that does not say how big it is). */
  omitLength?: boolean;
  /** The size the release listing claims (default: the real size). */
  listedSize?: number;
}

export interface StandInRelease {
  tag: string;
  /** The tree at this tag (default: the repository's `files`). */
  files?: FileTree;
  assets?: StandInAsset[];
  draft?: boolean;
  prerelease?: boolean;
}

export interface StandInRepo {
  owner: string;
  name: string;
  description?: string | null;
  stars?: number;
  /** Default ['fledge-plugin']. */
  topics?: string[];
  defaultBranch?: string;
  /** The tree at the default branch. */
  files: FileTree;
  /** Other branches: name -> tree. */
  branches?: Record<string, FileTree>;
  /** Newest first; the first that is neither draft nor prerelease is "latest". */
  releases?: StandInRelease[];
  /** Served instead of the built source archive for every ref (a hostile or broken archive). */
  archive?: Uint8Array;
  /** The search answer's pushed_at (default a fixed time); change it to say "something was pushed". */
  pushedAt?: string;
  /** Bump it to put a new commit on the default branch (its commit id changes; 0 or unset: the first). */
  revision?: number;
}

export interface StandInRequest {
  method: string;
  /** Path and query string, exactly as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface StandInOptions {
  repos: StandInRepo[];
  /** API requests allowed before GitHub's 403 rate-limit answer (downloads are not counted); default: no limit. */
  rateLimit?: number;
}

export type StandInMode =
  | { kind: 'normal' }
  /** 403 with X-RateLimit-Remaining: 0 (GitHub's primary limit). */
  | { kind: 'rate-limited'; resetInSeconds?: number }
  /** 429 with Retry-After (GitHub's secondary limit). */
  | { kind: 'retry-after'; seconds: number }
  | { kind: 'status'; status: number }
  /** Closes every connection without an answer. */
  | { kind: 'hang-up' };

export interface GitHubStandIn {
  /** The API base URL, e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  requests: StandInRequest[];
  /** Bytes of body written per request path (what a client that stops early did not receive). */
  bytesSent: Map<string, number>;
  /** Switches every API answer (not downloads) to a failure, or back to normal. */
  setMode(mode: StandInMode): void;
  /** The commit id a branch or tag of a repository resolves to (the default branch: at its `revision`). */
  commitOf(owner: string, name: string, ref: string): string;
  /** Starts a new rate-limit window with `limit` requests (undefined: no limit). */
  resetRateLimit(limit?: number): void;
  /** API requests answered so far (downloads not counted), e.g. to count what a look-up cost. */
  apiRequests(): StandInRequest[];
  close(): Promise<void>;
}

/** A deterministic fake commit id for a repository and ref. */
export function fakeCommit(owner: string, name: string, ref: string): string {
  return createHash('sha1').update(`${owner}/${name}@${ref}`).digest('hex');
}

/** Builds a GitHub-style source archive: `<owner>-<repo>-<sha7>/...` with a pax global header. */
export async function sourceTarball(prefix: string, commit: string, files: FileTree): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  type EntryHeader = Partial<tarStream.Header> & { name: string };
  const add = (header: EntryHeader, body: string | Buffer) =>
    new Promise<void>((resolve, reject) =>
      pack.entry(header as tarStream.Header, body, (err) => (err ? reject(err) : resolve())),
    );
  // Written as a file, then re-typed 'g' below (tar-stream cannot write a pax global header).
  await add({ name: 'pax_global_header', type: 'file', mode: 0o666 }, `52 comment=${commit}\n`);
  await add({ name: `${prefix}/`, type: 'directory', mode: 0o755 }, '');
  const dirs = new Set<string>();
  for (const path of Object.keys(files).sort()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      await add({ name: `${prefix}/${dir}/`, type: 'directory', mode: 0o755 }, '');
    }
    const content = files[path]!;
    await add(
      { name: `${prefix}/${path}`, type: 'file', mode: 0o644 },
      typeof content === 'string' ? content : Buffer.from(content),
    );
  }
  pack.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  tar[156] = 0x67; // typeflag 'g'
  tar.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return gzipSync(tar);
}

export async function startGitHubStandIn(options: StandInOptions): Promise<GitHubStandIn> {
  const requests: StandInRequest[] = [];
  const bytesSent = new Map<string, number>();
  let mode: StandInMode = { kind: 'normal' };
  let budget: { limit: number; used: number } | null =
    options.rateLimit === undefined ? null : { limit: options.rateLimit, used: 0 };
  const resetAt = () => Math.floor(Date.now() / 1000) + 3600;
  let base = '';
  const repos = options.repos;

  const find = (owner: string, name: string) =>
    repos.find(
      (r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
    );
  const branchOf = (r: StandInRepo) => r.defaultBranch ?? 'main';
  const latest = (r: StandInRepo) => r.releases?.find((x) => !x.draft && !x.prerelease) ?? null;
  /** ref (branch, tag or commit) -> [commit, tree], or null. */
  const resolveRef = (r: StandInRepo, ref: string): [string, FileTree] | null => {
    const head = r.revision ? `${branchOf(r)}#${r.revision}` : branchOf(r);
    const candidates: [string, string, FileTree][] = [[branchOf(r), head, r.files]];
    for (const [b, tree] of Object.entries(r.branches ?? {})) candidates.push([b, b, tree]);
    for (const rel of r.releases ?? []) candidates.push([rel.tag, rel.tag, rel.files ?? r.files]);
    for (const [name, seed, tree] of candidates) {
      const commit = fakeCommit(r.owner, r.name, seed);
      if (name === ref || commit === ref) return [commit, tree];
    }
    return null;
  };
  const repoJson = (r: StandInRepo) => ({
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: { login: r.owner },
    description: r.description === undefined ? `${r.name} plugin` : r.description,
    stargazers_count: r.stars ?? 0,
    html_url: `https://github.com/${r.owner}/${r.name}`,
    topics: r.topics ?? ['fledge-plugin'],
    default_branch: branchOf(r),
    pushed_at: r.pushedAt ?? '2026-11-30T12:00:00Z',
    private: false,
  });
  const assetBytes = (a: StandInAsset) =>
    a.content === undefined
      ? null
      : typeof a.content === 'string'
        ? Buffer.from(a.content)
        : Buffer.from(a.content);
  const releaseJson = (r: StandInRepo, rel: StandInRelease) => ({
    tag_name: rel.tag,
    name: rel.tag,
    draft: rel.draft ?? false,
    prerelease: rel.prerelease ?? false,
    tarball_url: `${base}/repos/${r.owner}/${r.name}/tarball/${rel.tag}`,
    assets: (rel.assets ?? []).map((a) => ({
      name: a.name,
      size: a.listedSize ?? assetBytes(a)?.length ?? a.streamBytes ?? 0,
      content_type: 'application/octet-stream',
      browser_download_url: `${base}/_downloads/${r.owner}/${r.name}/${encodeURIComponent(rel.tag)}/${encodeURIComponent(a.name)}`,
      // As GitHub: the API's asset address answers with a redirect to the download.
      url: `${base}/repos/${r.owner}/${r.name}/releases/assets/${encodeURIComponent(rel.tag)}/${encodeURIComponent(a.name)}`,
    })),
  });

  const send = (
    res: ServerResponse,
    path: string,
    status: number,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ) => {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-length': String(buf.length), ...headers });
    res.end(buf);
    bytesSent.set(path, (bytesSent.get(path) ?? 0) + buf.length);
  };
  const json = (
    res: ServerResponse,
    path: string,
    status: number,
    value: unknown,
    headers: Record<string, string> = {},
  ) =>
    send(res, path, status, JSON.stringify(value), {
      'content-type': 'application/json; charset=utf-8',
      ...headers,
    });
  const notFound = (res: ServerResponse, path: string) =>
    json(res, path, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

  const search = (res: ServerResponse, path: string, url: URL) => {
    const q = url.searchParams.get('q') ?? '';
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const topics: string[] = [];
    const users: string[] = [];
    const words: string[] = [];
    for (const term of q.split(' ').filter(Boolean)) {
      if (term.startsWith('topic:')) topics.push(term.slice(6).toLowerCase());
      else if (term.startsWith('user:')) users.push(term.slice(5).toLowerCase());
      else if (!term.startsWith('in:')) words.push(term.toLowerCase());
    }
    const hits = repos
      .filter((r) => {
        const t = (r.topics ?? ['fledge-plugin']).map((x) => x.toLowerCase());
        if (!topics.every((x) => t.includes(x))) return false;
        if (users.length && !users.includes(r.owner.toLowerCase())) return false;
        const hay = `${r.name} ${r.description ?? ''} ${t.join(' ')}`.toLowerCase();
        return words.every((w) => hay.includes(w));
      })
      .sort((a, b) => (b.stars ?? 0) - (a.stars ?? 0))
      .slice(0, perPage);
    json(res, path, 200, { total_count: hits.length, incomplete_results: false, items: hits.map(repoJson) });
  };

  const download = (res: ServerResponse, path: string, asset: StandInAsset) => {
    const bytes = assetBytes(asset);
    const size = bytes?.length ?? asset.streamBytes ?? 0;
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (!asset.omitLength) headers['content-length'] = String(size);
    res.writeHead(200, headers);
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024);
    const pump = () => {
      while (sent < size) {
        const part = bytes
          ? bytes.subarray(sent, sent + chunk.length)
          : chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        bytesSent.set(path, sent);
        if (!res.write(part)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => bytesSent.set(path, sent));
    pump();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', url: raw, headers: { ...req.headers } });
    const url = new URL(raw, 'http://stand-in');
    const path = url.pathname;
    const isDownload = path.startsWith('/_downloads/') || path.startsWith('/_codeload/');
    if (!isDownload && mode.kind !== 'normal') {
      if (mode.kind === 'hang-up') {
        req.socket.destroy();
        return;
      }
      if (mode.kind === 'rate-limited') {
        const reset = Math.floor(Date.now() / 1000) + (mode.resetInSeconds ?? 600);
        return json(
          res,
          path,
          403,
          { message: 'API rate limit exceeded for 127.0.0.1.' },
          {
            'x-ratelimit-limit': '60',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(reset),
          },
        );
      }
      if (mode.kind === 'retry-after')
        return json(
          res,
          path,
          429,
          { message: 'You have exceeded a secondary rate limit.' },
          { 'retry-after': String(mode.seconds) },
        );
      return json(res, path, mode.status, { message: `stand-in failure ${mode.status}` });
    }
    if (!isDownload && budget) {
      budget.used++;
      const left = budget.limit - budget.used;
      const headers = {
        'x-ratelimit-limit': String(budget.limit),
        'x-ratelimit-remaining': String(Math.max(0, left)),
        'x-ratelimit-reset': String(resetAt()),
      };
      if (left < 0)
        return json(res, path, 403, { message: 'API rate limit exceeded for 127.0.0.1.' }, headers);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    }
    if (req.method !== 'GET') return json(res, path, 405, { message: 'Method not allowed' });
    if (path === '/search/repositories') return search(res, path, url);

    let m = /^\/_downloads\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) {
      const r = find(m[1]!, m[2]!);
      const rel = r?.releases?.find((x) => x.tag === decodeURIComponent(m![3]!));
      const asset = rel?.assets?.find((a) => a.name === decodeURIComponent(m![4]!));
      return asset ? download(res, path, asset) : notFound(res, path);
    }
    m = /^\/_codeload\/([^/]+)\/([^/]+)\/tar\.gz\/([0-9a-f]{40})$/.exec(path);
    if (m) {
      const r = find(m[1]!, m[2]!);
      const hit = r && resolveRef(r, m[3]!);
      if (!r || !hit) return notFound(res, path);
      const body = r.archive
        ? Buffer.from(r.archive)
        : await sourceTarball(`${r.owner}-${r.name}-${hit[0].slice(0, 7)}`, hit[0], hit[1]);
      return send(res, path, 200, body, { 'content-type': 'application/x-gzip' });
    }
    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return notFound(res, path);
    const r = find(m[1]!, m[2]!);
    if (!r) return notFound(res, path);
    const rest = m[3] ?? '';
    if (rest === '') return json(res, path, 200, repoJson(r));
    if (rest === '/releases/latest') {
      const rel = latest(r);
      return rel ? json(res, path, 200, releaseJson(r, rel)) : notFound(res, path);
    }
    let sub = /^\/releases\/assets\/([^/]+)\/([^/]+)$/.exec(rest);
    if (sub) {
      if (req.headers.accept !== 'application/octet-stream')
        return json(res, path, 415, { message: 'Accept octet-stream' });
      return send(res, path, 302, '', {
        location: `${base}/_downloads/${r.owner}/${r.name}/${sub[1]}/${sub[2]}`,
      });
    }
    sub = /^\/releases\/tags\/(.+)$/.exec(rest);
    if (sub) {
      const rel = r.releases?.find((x) => x.tag === decodeURIComponent(sub![1]!));
      return rel ? json(res, path, 200, releaseJson(r, rel)) : notFound(res, path);
    }
    sub = /^\/commits\/(.+)$/.exec(rest);
    if (sub) {
      const hit = resolveRef(r, decodeURIComponent(sub[1]!));
      return hit ? json(res, path, 200, { sha: hit[0] }) : notFound(res, path);
    }
    sub = /^\/tarball\/(.+)$/.exec(rest);
    if (sub) {
      const hit = resolveRef(r, decodeURIComponent(sub[1]!));
      if (!hit) return notFound(res, path);
      // GitHub answers with a redirect to codeload; so does the stand-in (same host, another path).
      return send(res, path, 302, '', {
        location: `${base}/_codeload/${r.owner}/${r.name}/tar.gz/${hit[0]}`,
      });
    }
    sub = /^\/contents\/(.+)$/.exec(rest);
    if (sub) {
      const ref = url.searchParams.get('ref') ?? branchOf(r);
      const hit = resolveRef(r, ref);
      const file = hit?.[1][decodeURIComponent(sub[1]!)];
      if (file === undefined) return notFound(res, path);
      const bytes = Buffer.from(typeof file === 'string' ? file : Buffer.from(file));
      // As GitHub: base64 wrapped at 60 characters, and the file's git object id.
      const content = (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
      const sha = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
      return json(res, path, 200, { type: 'file', encoding: 'base64', content, size: bytes.length, sha });
    }
    return notFound(res, path);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, req.url ?? '/', 500, { message: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    bytesSent,
    setMode(next) {
      mode = next;
    },
    commitOf: (owner, name, ref) => {
      const r = find(owner, name);
      return fakeCommit(owner, name, r?.revision && ref === branchOf(r) ? `${ref}#${r.revision}` : ref);
    },
    resetRateLimit(limit) {
      budget = limit === undefined ? null : { limit, used: 0 };
    },
    apiRequests: () =>
      requests.filter((r) => !r.url.startsWith('/_downloads/') && !r.url.startsWith('/_codeload/')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
