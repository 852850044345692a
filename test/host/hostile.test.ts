// A hostile plugin fishing for credentials and state through the host services: env values holding
// tokens under harmless names, remote URLs with credentials in odd forms, and store keys that would
// pollute prototypes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterEnv, stripUrlCredentials } from '../../electron/engine/host/secrets.js';
import { PluginStore } from '../../electron/engine/host/store.js';
import { tempDir } from './helpers.js';

describe('env values that carry credentials under harmless names', () => {
  it('are not shown', () => {
    const planted = {
      REMOTE: 'https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git',
      MIRROR_ADDR: 'https://oauth2@gitlab.example.com/x',
      github_token: 'x',
      DEPLOY_NOTE: 'use ghp_abcdefghijklmnopqrstuvwxyz0123456789 for it',
      SLACK_HOOK_THING: 'xoxb-1234567890-abcdefghij',
      AWS_ID: 'AKIAABCDEFGHIJKLMNOP',
      MODEL: 'sk-proj-abcdefghijklmnopqrstuvwxyz',
      GL: 'glpat-abcdefghijklmnopqrst',
    };
    const plain = {
      PATH: '/usr/bin',
      REPO: 'ssh://git@github.com/o/r.git',
      HOMEPAGE: 'https://example.com/a',
      MAILTO: 'someone@example.com',
      SKETCH: 'sk-short',
    };
    expect(filterEnv({ ...planted, ...plain })).toEqual(plain);
  });
});

describe('remote URLs with credentials in odd forms', () => {
  it('lose the credentials', () => {
    expect(stripUrlCredentials('https://token@host/r')).toBe('https://host/r');
    expect(stripUrlCredentials('ssh://user:pass@host:22/r')).toBe('ssh://host:22/r');
    expect(stripUrlCredentials('HTTPS://u:p@Host/r')).toBe('HTTPS://Host/r');
    expect(stripUrlCredentials('deploy:s3cret@host.example:team/r.git')).toBe('host.example:team/r.git');
    expect(stripUrlCredentials('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(stripUrlCredentials('/srv/git/r.git')).toBe('/srv/git/r.git');
  });
});

describe('store keys that name Object.prototype members', () => {
  it('are ordinary keys: stored, read back, and nothing is polluted', async () => {
    const dir = tempDir();
    const store = new PluginStore(dir);
    for (const key of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'])
      await store.set(key, `v-${key}`);
    expect(await store.get('__proto__')).toBe('v-__proto__');
    expect(await store.get('valueOf')).toBeNull();
    expect(await store.keys()).toHaveLength(5);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')))).toContain('__proto__');
    expect(await store.get('toString')).toBe('v-toString');
  });
});
