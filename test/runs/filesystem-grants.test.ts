// The `filesystem` capability through the real run path: what a granted plugin sees as /project
// (read-only) and /plugin (its data folder, read-write), and that nothing else is reachable.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectContext } from '../../electron/engine/host/project.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { compileC, makePlugin, runPlugin } from '../sandbox/helpers.js';
import { tempDir, writeTree } from '../support/temp.js';

const root = tempDir('fs-grants');
const project = writeTree(join(root, 'project'), {
  'README.md': '# the project\n',
  'src/main.c': 'int main;\n',
});
writeFileSync(join(root, 'outside.txt'), 'secret outside the project\n');
let wasm: Uint8Array;
beforeAll(() => {
  wasm = readFileSync(compileC('fs-grants', root));
});

async function runWith(filesystem: 'none' | 'project' | 'plugin') {
  const plugin = makePlugin(wasm, { root, declared: { filesystem: 'plugin' } });
  const r = await runPlugin(plugin, {
    project: await projectContext(project),
    grants: { ...NO_CAPABILITIES, filesystem },
  });
  expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  const lines = Object.fromEntries(
    r.output
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
  );
  return { lines, plugin };
}

describe('filesystem grants through the run path', () => {
  it('"none": the plugin sees no files at all', async () => {
    const { lines, plugin } = await runWith('none');
    for (const [what, result] of Object.entries(lines)) expect(result, what).toBe('fail');
    expect(existsSync(join(plugin.dir, 'data'))).toBe(false);
  });

  it('"project": the project is readable at /project and nothing can change it', async () => {
    const { lines } = await runWith('project');
    expect(lines['list /project']).toMatch(/^ok \d+$/);
    expect(lines['read /project/README.md']).toBe('ok 14 # the project');
    for (const what of [
      'read /project/../outside.txt',
      'read /etc/passwd',
      'write /project/new.txt',
      'write /project/README.md',
      'mkdir /project/d',
      'write /plugin/out.txt',
    ])
      expect(lines[what], what).toBe('fail');
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# the project\n');
    expect(existsSync(join(project, 'new.txt'))).toBe(false);
  });

  it('"plugin": adds the plugin\'s data folder at /plugin, read-write, and nothing outside it', async () => {
    const { lines, plugin } = await runWith('plugin');
    expect(lines['read /project/README.md']).toBe('ok 14 # the project');
    expect(lines['write /plugin/out.txt']).toBe('ok');
    expect(lines['read /plugin/out.txt']).toBe('ok 22 written by the plugin');
    expect(readFileSync(join(plugin.dir, 'data', 'out.txt'), 'utf8')).toBe('written by the plugin\n');
    expect(lines['write /plugin/../escape.txt']).toBe('fail');
    expect(lines['write /project/new.txt']).toBe('fail');
    expect(existsSync(join(plugin.dir, 'escape.txt'))).toBe(false);
    expect(readFileSync(join(root, 'outside.txt'), 'utf8')).toBe('secret outside the project\n');
  });

  it('a plugin whose data folder is a link is not run with "plugin", and nothing is written through it', async () => {
    const plugin = makePlugin(wasm, { root, declared: { filesystem: 'plugin' } });
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(plugin.dir, 'data'));
    const r = await runPlugin(plugin, {
      project: await projectContext(project),
      grants: { ...NO_CAPABILITIES, filesystem: 'plugin' },
    });
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/data is a link; the plugin's data folder must be a real folder/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
