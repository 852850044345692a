// Run history is bounded per project, keeps each run's output up to a cap, survives a restart, and
// a damaged history file is skipped instead of trusted.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectKey } from '../../electron/engine/app/run-history.js';
import { appWorld, closeAll, installViaApp, pluginFolder, runEnded } from './helpers.js';

afterAll(closeAll);

describe('run history', () => {
  it('keeps the newest runs per project up to the setting, output capped, across a restart', async () => {
    const world = await appWorld({ outputCap: { maxEvents: 50, maxChars: 100_000 } });
    await installViaApp(world, await pluginFolder(world.root, 'fledge-flood', 'flood', {}, { COUNT: 500 }));
    const project = join(world.root, 'src');
    await world.client.projects.open({ path: project });
    await world.client.settings.update({ historyPerProject: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const run = await world.client.runs.start({ plugin: 'fledge-flood' });
      await runEnded(world.client, run.id);
      ids.push(run.id);
    }
    await world.service.runs.settled();
    const again = await world.restart();
    const history = await again.client.runs.history({ projectPath: project });
    expect(history.map((r) => r.id)).toEqual(ids.slice(2).reverse());
    const folder = join(world.configDir, 'fledge-desktop', 'history', projectKey(project));
    expect(
      readdirSync(folder)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(['index.json', ...ids.slice(2).map((id) => `${id}.json`)].sort());
    const record = await again.client.runs.get({ runId: ids[4]! });
    expect(record.output.truncated).toBe(true);
    expect(record.output.totalEvents).toBe(502); // started + 500 outputs + exit
    expect(record.output.events.length).toBe(51); // the cap, and the end is always kept
    expect(record.output.events.at(-1)?.type).toBe('exit');
    // Other projects have their own history; an unknown id is a plain refusal.
    expect(await again.client.runs.history({ projectPath: world.root })).toEqual([]);
    await expect(again.client.runs.get({ runId: 'nope' })).rejects.toMatchObject({ code: 'run_not_found' });
    await expect(again.client.runs.get({ runId: '..' })).rejects.toMatchObject({ code: 'run_not_found' });

    // A damaged index is skipped, never trusted (and the app keeps working).
    writeFileSync(join(folder, 'index.json'), '{"not": "a list"');
    const third = await again.restart();
    expect(await third.client.runs.history({ projectPath: project })).toEqual([]);
    const run = await third.client.runs.start({ plugin: 'fledge-flood', projectPath: project });
    await runEnded(third.client, run.id);
    await third.service.runs.settled();
    expect((await third.client.runs.history({ projectPath: project })).map((r) => r.id)).toEqual([run.id]);
  });
});
