import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyTrust, githubOwner, loadTrustConfig } from '../../electron/engine/install/trust.js';
import { tempDir } from '../host/helpers.js';

describe('trust tiers (as the fledge CLI classifies sources)', () => {
  it('official: the CorvidLabs org, in every spelling of the source', () => {
    for (const s of [
      'CorvidLabs/fledge-plugin-deploy',
      'corvidlabs/fledge-plugin-deploy',
      'CorvidLabs/fledge-plugin-deploy@v1.0.0',
      'https://github.com/CorvidLabs/fledge-plugin-deploy',
      'https://github.com/CorvidLabs/fledge-plugin-deploy.git@v2',
      'git@github.com:CorvidLabs/fledge-plugin-deploy.git',
    ]) {
      expect(classifyTrust(s, false), s).toBe('official');
    }
  });

  it('team: built-in members and config-listed orgs/users, case-insensitively; never official', () => {
    expect(classifyTrust('0xLeif/fledge-plugin-thing', false)).toBe('team');
    expect(classifyTrust('0xleif/fledge-plugin-thing@v0.1.0', false)).toBe('team');
    const config = { orgs: ['My-Company'], users: ['corvid-agent'] };
    expect(classifyTrust('my-company/fledge-plugin-foo', false, config)).toBe('team');
    expect(classifyTrust('https://github.com/Corvid-Agent/x', false, config)).toBe('team');
    expect(classifyTrust('someone/else', false, config)).toBe('unverified');
  });

  it('unverified: anyone else, and any non-GitHub host (even with a trusted-looking path)', () => {
    expect(classifyTrust('someuser/fledge-plugin-thing', false)).toBe('unverified');
    expect(classifyTrust('https://gitlab.com/CorvidLabs/x', false)).toBe('unverified');
    expect(classifyTrust('https://github.com.evil.example/CorvidLabs/x', false)).toBe('unverified');
    expect(githubOwner('https://token@github.com/CorvidLabs/x.git')).toBe('CorvidLabs');
  });

  it('a path that leaves owner/repo cannot borrow a trusted owner (git normalises `..`)', () => {
    for (const s of [
      'https://github.com/CorvidLabs/../attacker/evil.git',
      'https://github.com/corvidlabs/x/../../attacker/evil',
      'https://github.com/CorvidLabs/%2e%2e/attacker/evil',
      'git@github.com:CorvidLabs/../attacker/evil.git',
      'ssh://git@github.com/CorvidLabs/../../attacker/evil',
      'CorvidLabs/..',
      'https://github.com/CorvidLabs/x?ref=../../attacker/evil',
      'https://github.com/0xLeif/./x',
      'https://evil.example\\@github.com/CorvidLabs/x',
    ]) {
      expect(classifyTrust(s, false), s).toBe('unverified');
    }
    expect(classifyTrust('https://github.com/CorvidLabs/fledge-plugin-deploy/', false)).toBe('official');
    // As plugins.toml records an ssh source (user stripped), it keeps its tier.
    expect(classifyTrust('ssh://github.com/CorvidLabs/x.git', false)).toBe('official');
    expect(classifyTrust('ssh://git@github.com/CorvidLabs/x.git', false)).toBe('official');
  });

  it('local: a path on this machine, whatever it is called', () => {
    expect(classifyTrust('/home/me/CorvidLabs/plugin', true)).toBe('local');
  });

  it('reads [trust] orgs/users from config.toml, tolerating its absence or damage', async () => {
    const dir = tempDir();
    expect(await loadTrustConfig(dir)).toEqual({ orgs: [], users: [] });
    writeFileSync(
      join(dir, 'config.toml'),
      '[defaults]\nlicense = "MIT"\n[trust]\norgs = ["acme"]\nusers = ["bob", 3]\n',
    );
    expect(await loadTrustConfig(dir)).toEqual({ orgs: ['acme'], users: ['bob'] });
    writeFileSync(join(dir, 'config.toml'), '[trust\n');
    expect(await loadTrustConfig(dir)).toEqual({ orgs: [], users: [] });
  });
});
