import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectMetadata, parseMetadataKeys } from '../../electron/engine/host/metadata.js';
import { detectLanguage, projectContext } from '../../electron/engine/host/project.js';
import {
  filterEnv,
  isSecretEnvName,
  redactUrls,
  stripUrlCredentials,
} from '../../electron/engine/host/secrets.js';
import { git, tempDir } from './helpers.js';

const SECRETS: Record<string, string> = {
  GITHUB_TOKEN: 'ghp_x',
  NPM_TOKEN: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ACCESS_KEY_ID: 'x',
  OPENAI_API_KEY: 'x',
  MY_API: 'x',
  DB_PASSWORD: 'x',
  PGPASSWD: 'x',
  GPG_PASSPHRASE: 'x',
  DOCKER_CREDENTIALS: 'x',
  BASIC_AUTH: 'x',
  SSH_PRIVATE: 'x',
  SESSION_ID: 'x',
  COOKIE_JAR: 'x',
  client_secret: 'x',
  DATABASE_URL: 'postgres://u:p@h/db',
  HARMLESS_LOOKING: 'https://user:pw@example.com/',
  MIRROR: 'deploy:hunter2@mirror.example.com',
  SOME_PEM: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc',
  LD_PRELOAD: '/tmp/evil.so',
  NODE_OPTIONS: '--require evil',
};

function makeRepo(): string {
  const repo = tempDir();
  git(repo, 'init', '-q');
  writeFileSync(join(repo, 'a.txt'), 'a');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'first commit');
  git(repo, 'tag', 'v1.2.0');
  writeFileSync(join(repo, 'b.txt'), 'b');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'second commit');
  git(repo, 'tag', 'v1.10.0');
  return repo;
}

describe('metadata', () => {
  it('never shows a secret-looking variable in env', async () => {
    const env = { PATH: '/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8', EDITOR: 'vim', ...SECRETS };
    const r = await collectMetadata(['env'], { projectRoot: null, env });
    const shown = r.env as Record<string, string>;
    expect(shown).toEqual({ PATH: '/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8', EDITOR: 'vim' });
    for (const name of Object.keys(SECRETS)) expect(name in shown, name).toBe(false);
    const text = JSON.stringify(r);
    expect(text).not.toContain('ghp_x');
    expect(text).not.toContain('pw@');
  });

  it('filters the real process environment too (with secrets planted in it)', () => {
    const shown = filterEnv({ ...process.env, ...SECRETS });
    for (const name of Object.keys(shown)) expect(isSecretEnvName(name), name).toBe(false);
    for (const name of Object.keys(SECRETS)) expect(shown[name]).toBeUndefined();
  });

  it('keeps an ordinary PATH that passes through an npm scope folder', () => {
    const env = { PATH: '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib:/usr/bin' };
    expect(filterEnv(env)).toEqual(env);
  });

  it('answers the git keys from the project repository, CLI shapes', async () => {
    const repo = makeRepo();
    writeFileSync(join(repo, 'dirty.txt'), 'x');
    const r = await collectMetadata(['git_tags', 'git_status', 'git_log'], { projectRoot: repo });
    expect(r.git_tags).toEqual(['v1.10.0', 'v1.2.0']);
    expect(r.git_status).toEqual(['?? dirty.txt']);
    const log = r.git_log as string[];
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^[0-9a-f]{7,} second commit$/);
  });

  it('reads fledge.toml as fledge_config; null when absent or invalid; ignores unknown keys', async () => {
    const dir = tempDir();
    expect(await collectMetadata(['fledge_config', 'nope', 42], { projectRoot: dir })).toEqual({
      fledge_config: null,
    });
    writeFileSync(join(dir, 'fledge.toml'), '[project]\nname = "demo"\n[lanes]\nci = ["lint", "test"]\n');
    expect((await collectMetadata(['fledge_config'], { projectRoot: dir })).fledge_config).toEqual({
      project: { name: 'demo' },
      lanes: { ci: ['lint', 'test'] },
    });
    writeFileSync(join(dir, 'fledge.toml'), 'not = = toml');
    expect((await collectMetadata(['fledge_config'], { projectRoot: dir })).fledge_config).toBeNull();
  });

  it('answers empty lists outside a repository and nothing for a malformed request', async () => {
    const dir = tempDir();
    expect(await collectMetadata(['git_tags', 'git_log'], { projectRoot: dir })).toEqual({
      git_tags: [],
      git_log: [],
    });
    expect(await collectMetadata('env', { projectRoot: dir })).toEqual({});
    expect(parseMetadataKeys(['env', 'env', 'x'])).toEqual(['env']);
  });
});

describe('project context', () => {
  it('strips credentials from remote URLs', () => {
    expect(stripUrlCredentials('https://user:token@github.com/o/r.git')).toBe('https://github.com/o/r.git');
    expect(stripUrlCredentials('https://ghp_abc@github.com/o/r')).toBe('https://github.com/o/r');
    expect(stripUrlCredentials('http://u:p@host:8080/x?access_token=s#f')).toBe('http://host:8080/x');
    expect(stripUrlCredentials('ssh://git:pw@host/r.git')).toBe('ssh://host/r.git');
    expect(stripUrlCredentials('https://a@b:c@host/r')).toBe('https://host/r');
    expect(stripUrlCredentials('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(stripUrlCredentials('https://github.com/o/r')).toBe('https://github.com/o/r');
    expect(redactUrls("fatal: unable to access 'https://u:tok@host/r.git/': 403")).toBe(
      "fatal: unable to access 'https://host/r.git/': 403",
    );
  });

  it('gives name, root, language and git facts with the remote URL cleaned', async () => {
    const repo = makeRepo();
    writeFileSync(join(repo, 'Cargo.toml'), '[package]\nname="x"\n');
    git(repo, 'remote', 'add', 'origin', 'https://me:s3cret-token@example.com/team/demo.git');
    const ctx = await projectContext(repo);
    expect(ctx.root).toBe(repo);
    expect(ctx.name).toBe(repo.split('/').pop());
    expect(ctx.language).toBe('rust');
    expect(ctx.git).toEqual({
      branch: 'main',
      dirty: true,
      remote: 'origin',
      remote_url: 'https://example.com/team/demo.git',
    });
    expect(JSON.stringify(ctx)).not.toContain('s3cret');
  });

  it('has git null outside a repository, and names the branch of an empty repository', async () => {
    const dir = tempDir();
    expect((await projectContext(dir)).git).toBeNull();
    git(dir, 'init', '-q');
    expect((await projectContext(dir)).git).toEqual({
      branch: 'main',
      dirty: false,
      remote: 'origin',
      remote_url: '',
    });
  });

  it('detects languages from marker files', async () => {
    const cases: [string[], string][] = [
      [['Cargo.toml'], 'rust'],
      [['go.mod'], 'go'],
      [['package.json'], 'javascript'],
      [['package.json', 'tsconfig.json'], 'typescript'],
      [['pyproject.toml'], 'python'],
      [['setup.py'], 'python'],
      [['Gemfile'], 'ruby'],
      [['App.csproj'], 'csharp'],
      [[], 'unknown'],
    ];
    for (const [files, lang] of cases) {
      const dir = tempDir();
      for (const f of files) writeFileSync(join(dir, f), '');
      expect(await detectLanguage(dir), files.join(',')).toBe(lang);
    }
    const nested = tempDir();
    mkdirSync(join(nested, 'src'));
    expect(await detectLanguage(nested)).toBe('unknown');
  });
});
