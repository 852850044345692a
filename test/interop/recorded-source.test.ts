// `source` in plugins.toml as the fledge CLI 1.8 records it, so each tool classifies and updates the
// other's installs the same way (golden: plugins.toml records git installs as typed, without @ref).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource, recordedSource } from '../../electron/engine/install/source.js';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { tempDir } from '../support/temp.js';
import { golden } from './golden.js';

describe('recorded source', () => {
  it('a file:// git source is recorded as typed, without @ref, like the CLI (not as a path it would call local)', async () => {
    const root = tempDir('recorded');
    const repo = join(root, 'repos', 'fledge-wasm-pinned.git');
    mkdirSync(repo, { recursive: true });
    const cli = parseRegistry(golden('plugins.toml', { root, date: '2026-12-01' })).plugins.find(
      (p) => p.name === 'fledge-wasm-pinned',
    )!;
    expect(recordedSource(await parseSource(`file://${repo}@v0.1.0`))).toBe(cli.source);
    expect(recordedSource(await parseSource(`file://${repo}`))).toBe(cli.source);
  });

  it('owner/repo and https URLs are recorded as typed, without @ref', async () => {
    expect(recordedSource(await parseSource('CorvidLabs/fledge-plugin-deps@v0.2.0'))).toBe(
      'CorvidLabs/fledge-plugin-deps',
    );
    expect(
      recordedSource(await parseSource('https://github.com/CorvidLabs/fledge-plugin-deps.git@v0.2.0')),
    ).toBe('https://github.com/CorvidLabs/fledge-plugin-deps.git');
  });
});
