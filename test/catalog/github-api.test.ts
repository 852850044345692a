// The GitHub client's edges: redirects followed by hand (http(s) only, the token never leaves the
// API's origin), status answers in plain words, and the toolchain check behind "what is missing".
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitHubApi } from '../../electron/engine/install/github-api.js';
import { enterpriseWebHost, githubRepoOf } from '../../electron/engine/install/github-source.js';
import { parseSource } from '../../electron/engine/install/source.js';
import { checkToolchain } from '../../electron/engine/pack/toolchain.js';
import { refusal } from '../install/helpers.js';
import { tempDir } from '../support/temp.js';
import { emptyPath } from './helpers.js';

type Seen = { url: string; auth: string | undefined };

function scripted(answers: Record<string, () => Response>) {
  const seen: Seen[] = [];
  const fake: typeof fetch = async (input, init) => {
    const url = String(input);
    seen.push({ url, auth: (init?.headers as Record<string, string>)?.Authorization });
    const answer = answers[url];
    return answer ? answer() : new Response('{"message":"Not Found"}', { status: 404 });
  };
  return { seen, fake };
}

const redirect = (location: string) => () => new Response(null, { status: 302, headers: { location } });

describe('GitHubApi', () => {
  it('follows a redirect to another host without the token', async () => {
    const { seen, fake } = scripted({
      'https://api.example.test/repos/o/r/tarball/x': redirect('https://codeload.example.test/o/r/x'),
      'https://codeload.example.test/o/r/x': () => new Response('bytes'),
    });
    const api = new GitHubApi({ baseUrl: 'https://api.example.test', token: 'secret', fetch: fake });
    const res = await api.get('https://api.example.test/repos/o/r/tarball/x');
    expect(await res.text()).toBe('bytes');
    expect(seen).toEqual([
      { url: 'https://api.example.test/repos/o/r/tarball/x', auth: 'Bearer secret' },
      { url: 'https://codeload.example.test/o/r/x', auth: undefined },
    ]);
  });

  it('refuses a redirect (or an asset address) that is not http(s), or that carries credentials', async () => {
    const { fake } = scripted({
      'https://api.example.test/a': redirect('file:///etc/passwd'),
      'https://api.example.test/b': redirect('https://user:pw@evil.example.test/'),
    });
    const api = new GitHubApi({ baseUrl: 'https://api.example.test', fetch: fake });
    expect((await refusal(api.get('https://api.example.test/a'))).message).toMatch(
      /uses file:\/\/, but only http and https downloads are allowed/,
    );
    expect((await refusal(api.get('https://api.example.test/b'))).message).toMatch(/user name or password/);
    expect((await refusal(api.get('ftp://files.example.test/x.wasm'))).code).toBe('github_bad_url');
  });

  it('refuses a plain-http API address off this computer (a token would travel in the clear)', () => {
    expect(() => new GitHubApi({ baseUrl: 'http://api.example.test' })).toThrow(/uses plain http; use https/);
    expect(() => new GitHubApi({ baseUrl: 'http://127.0.0.1:9' })).not.toThrow();
  });

  it('a slow but steady download outlasts the answer time limit; a stalled one is given up in plain words', async () => {
    const trickle =
      (chunks: number, everyMs: number, thenStall = false): typeof fetch =>
      async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(c) {
              for (let i = 0; i < chunks; i++) {
                await new Promise((r) => setTimeout(r, everyMs));
                c.enqueue(new Uint8Array([i]));
              }
              if (!thenStall) c.close();
            },
          }),
        );
    const steady = new GitHubApi({
      baseUrl: 'https://api.example.test',
      fetch: trickle(8, 50),
      timeoutMs: 100,
      stallMs: 300,
    });
    expect((await (await steady.get('https://api.example.test/x')).arrayBuffer()).byteLength).toBe(8);
    const stuck = new GitHubApi({
      baseUrl: 'https://api.example.test',
      fetch: trickle(1, 10, true),
      stallMs: 200,
    });
    const res = await stuck.get('https://api.example.test/x');
    await expect(res.arrayBuffer()).rejects.toThrow(
      'The download from api.example.test stopped (nothing arrived for 1 s). Check your network connection and try again.',
    );
  });

  it('gives up on a redirect loop', async () => {
    const { fake } = scripted({ 'https://api.example.test/loop': redirect('/loop') });
    const api = new GitHubApi({ baseUrl: 'https://api.example.test', fetch: fake });
    expect((await refusal(api.get('https://api.example.test/loop'))).code).toBe('github_redirect_loop');
  });

  it('says what a refused token, a plain 403 and a server error mean', async () => {
    const { fake } = scripted({
      'https://api.example.test/401': () => new Response('{}', { status: 401 }),
      'https://api.example.test/403': () =>
        new Response('{"message":"Resource not accessible"}', { status: 403 }),
      'https://api.example.test/503': () =>
        new Response('', { status: 503, statusText: 'Service Unavailable' }),
    });
    const api = new GitHubApi({ baseUrl: 'https://api.example.test', fetch: fake });
    expect((await refusal(api.getJson('/401'))).message).toMatch(/did not accept the token/);
    expect((await refusal(api.getJson('/403'))).message).toBe(
      'api.example.test refused the request (403): Resource not accessible.',
    );
    expect((await refusal(api.getJson('/503'))).message).toBe(
      'api.example.test answered 503 Service Unavailable. Try again later.',
    );
  });
});

describe('which sources go through the API', () => {
  it('owner/repo and github.com https URLs do; other hosts, ssh and local repositories stay with git', async () => {
    const of = async (spec: string) => githubRepoOf(await parseSource(spec, tempDir('src')));
    expect(await of('someone/fledge-x@v1')).toEqual({ owner: 'someone', repo: 'fledge-x', ref: 'v1' });
    expect(await of('https://github.com/someone/fledge-x.git')).toEqual({
      owner: 'someone',
      repo: 'fledge-x',
      ref: null,
    });
    expect(await of('https://github.com/someone/fledge-x')).toEqual({
      owner: 'someone',
      repo: 'fledge-x',
      ref: null,
    });
    expect(await of('https://gitlab.com/someone/fledge-x')).toBeNull();
    expect(await of('git@github.com:someone/fledge-x.git')).toBeNull();
    expect(await of('https://github.com/someone/../other/x')).toBeNull();
    expect(await of('https://user:tok@github.com/someone/fledge-x')).toBeNull();
  });

  it('GitHub Enterprise: https://HOST/owner/repo goes through the API configured at https://HOST/api/v3', async () => {
    const api = new GitHubApi({ baseUrl: 'https://ghe.example.test/api/v3' });
    const host = enterpriseWebHost(api);
    expect(host).toBe('ghe.example.test');
    const src = await parseSource('https://ghe.example.test/team/fledge-y@v2', tempDir('src'));
    expect(githubRepoOf(src, host)).toEqual({ owner: 'team', repo: 'fledge-y', ref: 'v2' });
    expect(githubRepoOf(src, null)).toBeNull();
    expect(enterpriseWebHost(new GitHubApi({ baseUrl: 'https://api.github.com' }))).toBeNull();
  });
});

describe('the toolchain check', () => {
  function fakeBin(files: Record<string, string>): string {
    const dir = join(tempDir('bin'), 'bin');
    mkdirSync(dir);
    for (const [name, body] of Object.entries(files)) {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    }
    return dir;
  }

  it('no cargo: Rust is not installed, and where to get it', async () => {
    const r = await checkToolchain('cargo build --target wasm32-wasip1 --release', tempDir('p'), 'wasm', {
      PATH: emptyPath(),
    });
    expect(r.missing).toMatch(
      /^Rust is not installed on this computer .*https:\/\/rustup\.rs.*rustup target add wasm32-wasip1$/,
    );
  });

  it('cargo without the wasm32-wasip1 standard library: the target is what is missing', async () => {
    const sysroot = tempDir('sysroot');
    mkdirSync(join(sysroot, 'lib', 'rustlib', 'x86_64-unknown-linux-gnu', 'lib'), { recursive: true });
    const PATH = fakeBin({ cargo: 'exit 0', rustc: `echo ${sysroot}` });
    const r = await checkToolchain('cargo build --target wasm32-wasip1 --release', tempDir('p'), 'wasm', {
      PATH,
    });
    expect(r.missing).toMatch(
      /^Rust is installed, but not its WebAssembly target wasm32-wasip1\. Add it with: rustup target add wasm32-wasip1/,
    );
    mkdirSync(join(sysroot, 'lib', 'rustlib', 'wasm32-wasip1', 'lib'), { recursive: true });
    writeFileSync(join(sysroot, 'lib', 'rustlib', 'wasm32-wasip1', 'lib', 'libstd-1234.rlib'), '');
    expect(
      (await checkToolchain('cargo build --target wasm32-wasip1 --release', tempDir('p'), 'wasm', { PATH }))
        .missing,
    ).toBeNull();
  });

  it('another program: found on PATH or in the plugin, else named', async () => {
    const PATH = fakeBin({ make: 'exit 0' });
    expect((await checkToolchain('make wasm', tempDir('p'), 'wasm', { PATH })).missing).toBeNull();
    const plugin = tempDir('p');
    writeFileSync(join(plugin, 'build.sh'), '#!/bin/sh\n');
    chmodSync(join(plugin, 'build.sh'), 0o755);
    expect((await checkToolchain('./build.sh', plugin, 'wasm', { PATH })).missing).toBeNull();
    expect((await checkToolchain('zig build', plugin, 'wasm', { PATH })).missing).toBe(
      'The build needs "zig", which was not found on this computer. Install it (see the plugin\'s README), then try again.',
    );
  });
});
