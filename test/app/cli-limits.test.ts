// The app's per-plugin settings are honoured by this project's CLI too: `run <installed plugin>`
// takes its own limits (not above the settings' ceilings) and refuses a plugin disabled in the app.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { appWorld, closeAll, pluginFolder } from './helpers.js';

afterAll(closeAll);

function exitLine(stdout: string) {
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe("the CLI run honours the app's per-plugin settings", () => {
  it("uses the plugin's own wall clock from the app, refuses it while disabled, and keeps flags under the ceiling", async () => {
    const world = await appWorld();
    const env = { FLEDGE_CONFIG_DIR: world.configDir };
    const dir = await pluginFolder(world.root, 'fledge-spin', 'loop');
    expect(runCli(['plugins', 'install', dir, '--yes'], env).code).toBe(0);

    // Set in the app: 1 s of wall clock for this plugin.
    const summary = await world.client.plugins.setLimits({
      name: 'fledge-spin',
      limits: { timeoutMs: 1000 },
    });
    expect(summary.limits.timeoutMs).toBe(1000);
    const timed = runCli(['run', 'fledge-spin', '--json'], env);
    expect(exitLine(timed.stdout)).toMatchObject({
      reason: 'timeout',
      message: expect.stringContaining('(1 seconds)'),
    });

    // A flag within the ceiling wins over the plugin's own limit; above the ceiling it is refused.
    const flagged = runCli(['run', 'fledge-spin', '--json', '--timeout-ms', '500'], env);
    expect(exitLine(flagged.stdout).message).toContain('(0.5 seconds)');
    const over = runCli(['run', 'fledge-spin', '--json', '--memory-mb', '4000'], env);
    expect(over.code).toBe(1);
    expect(exitLine(over.stdout).message).toMatch(
      /--memory-mb 4000 is above the ceiling set in Fledge Desktop's settings \(1024 MB\)/,
    );

    // Disabled in the app: the CLI refuses it too, saying where to enable it.
    await world.client.plugins.setEnabled({ name: 'fledge-spin', enabled: false });
    const refused = runCli(['run', 'fledge-spin', '--json'], env);
    expect(refused.code).toBe(1);
    expect(exitLine(refused.stdout).message).toMatch(
      /"fledge-spin" is disabled in Fledge Desktop; enable it there/,
    );

    // A plugin directory (not installed) is not affected by the app's settings.
    await world.client.plugins.setEnabled({ name: 'fledge-spin', enabled: true });
    const byDir = runCli(
      ['run', join(world.root, 'src', 'fledge-spin'), '--json', '--timeout-ms', '300'],
      env,
    );
    expect(exitLine(byDir.stdout)).toMatchObject({ reason: 'timeout' });
  });
});
