// What the app-service tests share: an AppService over a temp config dir with a client of the
// contract in front of it (in-process transport: every message serialised), and plugins on disk.
import { join } from 'node:path';
import { expect } from 'vitest';
import { AppService, type AppServiceOptions } from '../../electron/engine/app/index.js';
import type { Capabilities } from '../../shared/capabilities.js';
import {
  createClient,
  type EventName,
  type EventPayload,
  type FledgeApi,
  inProcessTransport,
  type ParsedParams,
} from '../../shared/ipc/index.js';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';

export interface AppWorld {
  root: string;
  configDir: string;
  service: AppService;
  client: FledgeApi;
  /** Every event the client received, in order. */
  seen: { name: EventName; payload: unknown }[];
  restart(): Promise<AppWorld>;
  close(): Promise<void>;
}

const open: AppService[] = [];

export async function appWorld(
  options: Partial<AppServiceOptions> = {},
  root = tempDir('app'),
): Promise<AppWorld> {
  const configDir = join(root, 'config');
  const service = await new AppService({
    configDir,
    mode: 'headless',
    catalog: () => ({
      search: async () => ({
        results: [],
        fetchedAt: new Date(0).toISOString(),
        fromCache: false,
        ageSeconds: 0,
        reason: null,
      }),
    }),
    ...options,
  }).start();
  open.push(service);
  const client = createClient(
    inProcessTransport(service.dispatch, (l) => service.hub.subscribe(l)),
    {
      onProtocolError: (e) => {
        throw e;
      },
    },
  );
  const seen: AppWorld['seen'] = [];
  for (const name of [
    'runs.started',
    'runs.events',
    'runs.ended',
    'operations.progress',
    'operations.finished',
    'consent.requested',
    'consent.settled',
    'plugins.changed',
    'projects.changed',
    'settings.changed',
    'app.resync',
  ] as const)
    client.on(name, (payload) => seen.push({ name, payload }));
  const world: AppWorld = {
    root,
    configDir,
    service,
    client,
    seen,
    async restart() {
      await service.close();
      return appWorld(options, root);
    },
    close: () => service.close(),
  };
  return world;
}

export async function closeAll(): Promise<void> {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
}

/** Resolves with the first event of that name matching `when`. */
export function nextEvent<N extends EventName>(
  client: FledgeApi,
  name: N,
  when: (p: EventPayload<N>) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<EventPayload<N>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
    const off = client.on(name, (p) => {
      if (!when(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

/** A WASM plugin folder built from a WAT fixture. */
export async function pluginFolder(
  root: string,
  name: string,
  fixture: string,
  declared: Partial<Capabilities> = {},
  vars: Record<string, string | number> = {},
): Promise<string> {
  return makePlugin(await fixtureWasm(fixture, vars), { root: join(root, 'src'), name, declared }).dir;
}

/** Installs through the contract as a person would: install, consent screen, answer. `from`: a folder, or a source. */
export async function installViaApp(
  world: AppWorld,
  from: string | ParsedParams<'plugins.install'>['source'],
  grants: Partial<Record<keyof Capabilities, boolean | string>> = {},
): Promise<EventPayload<'operations.finished'>> {
  const consent = nextEvent(world.client, 'consent.requested');
  const source = typeof from === 'string' ? { kind: 'path' as const, path: from } : from;
  const { operationId } = await world.client.plugins.install({ source });
  const finished = nextEvent(world.client, 'operations.finished', (p) => p.operationId === operationId);
  const { request } = await consent;
  expect(request.operationId).toBe(operationId);
  await world.client.consent.answer({
    consentId: request.id,
    decision: { answer: 'install', grants: grants as never, allowBuild: false },
  });
  return finished;
}

/** Resolves when the run ends (its runs.ended event). */
export function runEnded(client: FledgeApi, runId: string) {
  return nextEvent(client, 'runs.ended', (p) => p.run.id === runId, 60_000);
}
