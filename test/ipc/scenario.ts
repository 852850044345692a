// One pass over the whole contract as a window would use it: every method called with a real
// answer from a real AppService (real installs, real sandboxed runs), every event seen. Run through
// each transport by the round-trip tests; `covered` says which methods it called.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { EventName, EventPayload, FledgeApi, MethodName } from '../../shared/ipc/index.js';
import { EVENT_NAMES } from '../../shared/ipc/index.js';
import { pluginFolder } from '../app/helpers.js';
import { makeZip } from '../install/archives.js';

export function recordEvents(client: FledgeApi) {
  const seen: { name: EventName; payload: unknown }[] = [];
  for (const name of EVENT_NAMES) client.on(name, (payload) => seen.push({ name, payload }));
  return seen;
}

export function waitFor<N extends EventName>(
  client: FledgeApi,
  name: N,
  when: (p: EventPayload<N>) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<EventPayload<N>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${timeoutMs} ms`)), timeoutMs);
    const off = client.on(name, (p) => {
      if (!when(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

export async function exerciseContract(c: FledgeApi, root: string, mode: 'headless' | 'browser') {
  const covered = new Set<MethodName>();
  const call = async <T>(name: MethodName, p: Promise<T>): Promise<T> => {
    const r = await p;
    if (process.env.DEBUG_SCENARIO) console.log('ok', name);
    covered.add(name);
    return r;
  };
  const ended = (runId: string) => waitFor(c, 'runs.ended', (p) => p.run.id === runId);
  const install = async (source: Parameters<FledgeApi['plugins']['install']>[0]['source'], grants = {}) => {
    const consent = waitFor(c, 'consent.requested');
    const { operationId } = await call('plugins.install', c.plugins.install({ source }));
    const finished = waitFor(c, 'operations.finished', (p) => p.operationId === operationId);
    const { request } = await consent;
    const pending = await call('consent.pending', c.consent.pending());
    expect(pending.map((r) => r.id)).toContain(request.id);
    await call(
      'consent.answer',
      c.consent.answer({ consentId: request.id, decision: { answer: 'install', grants, allowBuild: false } }),
    );
    const end = await finished;
    expect(end.state, JSON.stringify(end.error)).toBe('succeeded');
    return { request, end };
  };

  // ---- app, settings ----
  expect((await call('app.info', c.app.info())).mode).toBe(mode);
  const settings = await call('settings.get', c.settings.get());
  expect(settings).toMatchObject({
    theme: 'system',
    defaultLimits: { timeoutMs: 60_000, memoryMb: 256 },
    githubToken: { saved: false },
  });
  const changedSettings = waitFor(c, 'settings.changed');
  const updated = await call(
    'settings.update',
    c.settings.update({ theme: 'dark', defaultLimits: { timeoutMs: 30_000 } }),
  );
  expect(updated).toMatchObject({ theme: 'dark', defaultLimits: { timeoutMs: 30_000 } });
  expect((await changedSettings).settings.theme).toBe('dark');
  expect(
    await call('settings.setGithubToken', c.settings.setGithubToken({ token: 'ghp_secretsecret' })),
  ).toEqual({ saved: true });
  const after = await c.settings.get();
  expect(after.githubToken.saved).toBe(true);
  expect(JSON.stringify(after)).not.toContain('ghp_secretsecret');

  // ---- projects, app state ----
  const projectChanged = waitFor(c, 'projects.changed');
  const project = await call('projects.open', c.projects.open({ path: root }));
  expect(project).toMatchObject({ path: root, exists: true });
  expect((await projectChanged).current?.path).toBe(root);
  expect((await call('projects.list', c.projects.list())).recent.map((p) => p.path)).toContain(root);
  const bounds = { x: 10, y: 20, width: 900, height: 700, maximized: false };
  expect((await call('app.setState', c.app.setState({ windowBounds: bounds }))).windowBounds).toEqual(bounds);
  expect(await call('app.getState', c.app.getState())).toMatchObject({
    windowBounds: bounds,
    currentProject: root,
    recentProjects: [root],
  });

  // ---- install with consent, plugin pages ----
  const hello = await pluginFolder(root, 'fledge-hello', 'hello', { store: true, clock: true });
  expect(
    await call('plugins.validate', c.plugins.validate({ source: { kind: 'path', path: hello } })),
  ).toMatchObject({
    valid: true,
    pluginName: 'fledge-hello',
    errors: [],
  });
  const first = await install({ kind: 'path', path: hello }, { store: true });
  expect(first.request.requests.map((r) => r.capability).sort()).toEqual(['clock', 'store']);
  expect(first.request.requests.every((r) => r.ifDenied.startsWith('The plugin will run'))).toBe(true);
  expect(first.end.outcome?.granted).toMatchObject({ store: true, clock: false });
  expect(
    (await call('operations.list', c.operations.list())).find((o) => o.id === first.request.operationId)
      ?.state,
  ).toBe('succeeded');
  const list = await call('plugins.list', c.plugins.list());
  expect(list.map((p) => p.name)).toEqual(['fledge-hello']);
  const detail = await call('plugins.get', c.plugins.get({ name: 'fledge-hello' }));
  expect(detail.wasm[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(detail.ownLimits).toEqual({ fuel: null, timeoutMs: null, memoryMb: null });
  expect(detail.limits.timeoutMs).toBe(30_000);
  expect(
    (await call('plugins.grant', c.plugins.grant({ name: 'fledge-hello', capabilities: ['clock'] }))).clock,
  ).toBe(true);
  expect(
    (await call('plugins.revoke', c.plugins.revoke({ name: 'fledge-hello', capabilities: ['clock'] }))).clock,
  ).toBe(false);
  expect(await call('plugins.approve', c.plugins.approve({ name: 'fledge-hello' }))).toEqual({ ok: true });
  expect(
    (
      await call(
        'plugins.setLimits',
        c.plugins.setLimits({ name: 'fledge-hello', limits: { memoryMb: 128 } }),
      )
    ).limits.memoryMb,
  ).toBe(128);
  expect(
    (await call('plugins.setEnabled', c.plugins.setEnabled({ name: 'fledge-hello', enabled: false })))
      .enabled,
  ).toBe(false);
  await expect(c.runs.start({ plugin: 'fledge-hello' })).rejects.toMatchObject({ code: 'plugin_disabled' });
  await c.plugins.setEnabled({ name: 'fledge-hello', enabled: true });
  // A WASM plugin always runs sandboxed: taking back full access changes nothing, allowing it is refused.
  expect(
    (await call('plugins.setFullAccess', c.plugins.setFullAccess({ name: 'fledge-hello', allowed: false })))
      .access,
  ).toMatchObject({ mode: 'sandboxed', fullAccessAllowed: false });
  await expect(c.plugins.setFullAccess({ name: 'fledge-hello', allowed: true })).rejects.toMatchObject({
    code: 'grant_not_native',
  });
  // No native dialogs outside Electron: the window asks for a path instead.
  expect(await call('dialogs.available', c.dialogs.available())).toEqual({ pickFolder: false });
  expect(await call('dialogs.pickFolder', c.dialogs.pickFolder({ purpose: 'project' }))).toEqual({
    available: false,
    path: null,
  });

  // ---- runs, history ----
  const run = await call('runs.start', c.runs.start({ plugin: 'fledge-hello' }));
  expect(run).toMatchObject({
    state: 'running',
    projectPath: root,
    limits: { memoryMb: 128, timeoutMs: 30_000 },
  });
  const end = await ended(run.id);
  expect(end.run.end).toMatchObject({ reason: 'exit', code: 0 });
  const events = await call('runs.events', c.runs.events({ runId: run.id }));
  expect(events.events.filter((e) => e.type === 'output').map((e) => (e as { text: string }).text)).toEqual([
    'hello',
  ]);
  expect((await call('runs.get', c.runs.get({ runId: run.id }))).end?.reason).toBe('exit');
  const again = await call('runs.rerun', c.runs.rerun({ runId: run.id }));
  await ended(again.id);
  expect((await call('runs.history', c.runs.history({}))).map((r) => r.id)).toEqual([again.id, run.id]);

  // ---- install from dropped archive bytes, a question answered ----
  const askDir = await pluginFolder(root, 'fledge-ask', 'prompt');
  const zip = join(root, 'fledge-ask.zip');
  await makeZip(zip, [
    { name: 'fledge-ask/plugin.toml', data: await readFile(join(askDir, 'plugin.toml')) },
    { name: 'fledge-ask/plugin.wasm', data: await readFile(join(askDir, 'plugin.wasm')) },
  ]);
  const upload = await call(
    'plugins.upload',
    c.plugins.upload({ fileName: 'fledge-ask.zip', base64: (await readFile(zip)).toString('base64') }),
  );
  expect(upload.bytes).toBeGreaterThan(100);
  expect(
    (await c.plugins.validate({ source: { kind: 'upload', uploadId: upload.uploadId } })).pluginName,
  ).toBe('fledge-ask');
  await install({ kind: 'upload', uploadId: upload.uploadId });
  const askRun = await c.runs.start({ plugin: 'fledge-ask' });
  const asked = await waitFor(
    c,
    'runs.events',
    (p) => p.runId === askRun.id && p.events.some((e) => e.type === 'request'),
  );
  const question = asked.events.find((e) => e.type === 'request')!;
  expect(question).toMatchObject({ kind: 'prompt', message: 'Your name?' });
  const active = await call('runs.active', c.runs.active());
  expect(active.find((r) => r.id === askRun.id)?.pendingRequests.map((r) => r.id)).toEqual(['name']);
  const askEnd = ended(askRun.id);
  expect(
    await call('runs.answer', c.runs.answer({ runId: askRun.id, requestId: 'name', value: 'Ada' })),
  ).toEqual({ ok: true });
  await askEnd;
  const askOut = (await c.runs.get({ runId: askRun.id })).output.events;
  expect(JSON.stringify(askOut)).toContain('Ada');

  // ---- a runaway plugin stopped ----
  const loop = await pluginFolder(root, 'fledge-loop', 'loop');
  await install({ kind: 'path', path: loop });
  const loopRun = await c.runs.start({ plugin: 'fledge-loop' });
  const loopEnd = ended(loopRun.id);
  expect(await call('runs.cancel', c.runs.cancel({ runId: loopRun.id }))).toEqual({ ok: true });
  expect((await loopEnd).run.end?.reason).toMatch(/cancelled|error/);

  // ---- an update that asks for more: the difference, then cancelled ----
  const toml = join(hello, 'plugin.toml');
  writeFileSync(toml, (await readFile(toml, 'utf8')).replace('metadata = false', 'metadata = true'));
  const updateConsent = waitFor(c, 'consent.requested');
  const { operationId } = await call('plugins.update', c.plugins.update({ name: 'fledge-hello' }));
  let updateAsked = false;
  const failedEarly = new Promise<never>((_, reject) =>
    c.on('operations.finished', (p) => {
      if (!updateAsked && p.operationId === operationId)
        reject(new Error(`the update ended before asking: ${JSON.stringify(p)}`));
    }),
  );
  const { request } = await Promise.race([updateConsent, failedEarly]);
  updateAsked = true;
  expect(request.kind).toBe('update');
  expect(request.update).toMatchObject({ added: ['metadata'], removed: [], unchanged: ['store', 'clock'] });
  const settled = waitFor(c, 'consent.settled', (p) => p.consentId === request.id);
  const cancelled = waitFor(c, 'operations.finished', (p) => p.operationId === operationId);
  expect(await call('operations.cancel', c.operations.cancel({ operationId }))).toEqual({ ok: true });
  expect((await settled).outcome).toBe('cancelled');
  expect((await cancelled).state).toBe('cancelled');
  expect((await c.plugins.get({ name: 'fledge-hello' })).declared?.metadata).toBe(false);

  // ---- catalog, clean-up ----
  expect(await call('catalog.search', c.catalog.search({ keywords: 'lint' }))).toMatchObject({
    results: [],
    fromCache: false,
  });
  expect(
    await call('catalog.inspect', c.catalog.inspect({ fullNames: ['someone/fledge-lint'] })),
  ).toMatchObject({ facts: [], failed: [], limited: null });
  await expect(c.catalog.inspect({ fullNames: ['../etc'] })).rejects.toMatchObject({
    code: 'invalid_request',
  });
  expect(await call('runs.clearHistory', c.runs.clearHistory({}))).toEqual({ ok: true });
  expect(await c.runs.history({})).toEqual([]);
  expect(await call('plugins.remove', c.plugins.remove({ name: 'fledge-loop' }))).toEqual({ ok: true });
  expect((await c.plugins.list()).map((p) => p.name).sort()).toEqual(['fledge-ask', 'fledge-hello']);
  expect((await call('projects.forget', c.projects.forget({ path: root }))).recent).toEqual([]);
  expect((await call('projects.close', c.projects.close())).current).toBeNull();
  return covered;
}
