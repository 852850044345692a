/**
 * AppService: everything the app's windows can ask for, over the engine (PluginService,
 * RunManager, project detection, the catalog), as the handlers of the IPC contract. Electron's
 * main process and browser mode both serve it; it never imports Electron. Its events go out through
 * `hub` (numbered batches). Electron passes its electron-store instances, its RunManager (with the
 * utilityProcess launcher) and its token store; headless, conf and files under the config dir are used.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CallContext,
  createDispatcher,
  type Dispatch,
  type Handlers,
} from '../../../shared/ipc/index.js';
import type { CatalogAnswer, CatalogQuery, InspectAnswer } from '../catalog/index.js';
import { CatalogService } from '../catalog/index.js';
import { HostError } from '../host/errors.js';
import { githubApiSettings } from '../install/github-api.js';
import { APP_TOKEN_ADVICE } from '../install/github-budget.js';
import { allowFullAccess, withdrawFullAccess } from '../native/access-store.js';
import { PluginService } from '../plugins/plugin-service.js';
import { readRegistry } from '../registry/plugins-toml.js';
import { FLEDGE_COMPAT_VERSION, RunManager } from '../runs/index.js';
import { AppRuns } from './app-runs.js';
import { catalogAnswerView, catalogInspectView } from './catalog-view.js';
import { EventHub, type EventHubOptions } from './event-hub.js';
import { Operations } from './operations.js';
import type { OutputCap } from './output-buffer.js';
import { forgetPlugin, setPluginEnabled, setPluginLimits } from './plugin-prefs.js';
import { PluginViews } from './plugin-views.js';
import { folderPath, Projects } from './projects.js';
import { RunHistory } from './run-history.js';
import { readSettings, writeSettings } from './settings.js';
import { appDataDir, type KeyValueStore, openStore } from './stores.js';
import { fileTokenStore, type TokenStore } from './token-store.js';
import { Uploads } from './uploads.js';
import { validateSource } from './validate-source.js';

export interface CatalogLike {
  search(query: CatalogQuery): Promise<CatalogAnswer>;
  /** Looks at entries before install (runtime, prebuilt or not); absent: nothing is learnt before install. */
  inspectMany?(fullNames: string[]): Promise<InspectAnswer>;
}

export interface AppServiceOptions {
  /** The fledge config dir (plugins.toml, plugins/); the app's own data is <configDir>/fledge-desktop. */
  configDir: string;
  mode: 'electron' | 'browser' | 'headless';
  version?: string;
  /** electron-store instances in Electron (made with cwd: appDataDir(configDir) and STORE_NAMES); conf otherwise. */
  stores?: Partial<Record<'settings' | 'appState' | 'pluginPrefs', KeyValueStore>>;
  tokenStore?: TokenStore;
  /** Electron passes one with its utilityProcess launcher. Closed by close() only when made here. */
  runManager?: RunManager;
  /** The catalog for a token (default: CatalogService with the saved token, else the environment's). */
  catalog?: (token: string | null) => CatalogLike;
  outputCap?: OutputCap;
  /** The event stream's batching and how much it keeps for clients that reconnect. */
  events?: EventHubOptions;
  /**
   * The system's folder dialog (Electron's main process passes one): the folder chosen, or null when
   * the person cancelled. Without it, dialogs.pickFolder answers "not available" (browser mode).
   */
  pickFolder?: (purpose: 'project' | 'plugin') => Promise<string | null>;
}

export class AppService {
  readonly hub: EventHub;
  readonly handlers: Handlers;
  /** The contract's host side over these handlers (what every transport calls). */
  readonly dispatch: Dispatch;
  readonly plugins: PluginService;
  readonly runs: AppRuns;
  private readonly projects: Projects;
  private readonly settings: KeyValueStore;
  private readonly appState: KeyValueStore;
  private readonly prefs: KeyValueStore;
  private readonly tokens: TokenStore;
  private readonly manager: RunManager;
  private readonly ownsManager: boolean;
  private readonly operations: Operations;
  private readonly uploads: Uploads;
  private readonly views: PluginViews;
  private readonly appData: string;
  private readonly history: RunHistory;
  private readonly installCwd: string;
  private catalogFor: { token: string | null; catalog: CatalogLike } | null = null;

  constructor(private readonly options: AppServiceOptions) {
    const { configDir } = options;
    this.appData = appDataDir(configDir);
    // Sources are resolved against an empty folder of ours, so "owner/repo" is never a path by accident.
    this.installCwd = join(this.appData, 'install-cwd');
    this.settings = options.stores?.settings ?? openStore(configDir, 'settings');
    this.appState = options.stores?.appState ?? openStore(configDir, 'appState');
    this.prefs = options.stores?.pluginPrefs ?? openStore(configDir, 'pluginPrefs');
    this.tokens = options.tokenStore ?? fileTokenStore(this.appData);
    this.hub = new EventHub(options.events ?? {});
    // Installs and updates from GitHub use the token saved in Settings (else the environment's), as the catalog does.
    this.plugins = new PluginService(configDir, this.installCwd, () => ({
      ...githubApiSettings(process.env, { token: this.tokens.get() }),
      tokenAdvice: APP_TOKEN_ADVICE,
    }));
    this.ownsManager = !options.runManager;
    this.manager = options.runManager ?? new RunManager({ poolSize: 1 });
    this.projects = new Projects(this.appState);
    this.uploads = new Uploads(join(this.appData, 'uploads'));
    const describeSource = (source: string) => this.uploads.describe(source);
    this.views = new PluginViews(this.plugins, this.settings, this.prefs, describeSource);
    this.operations = new Operations(
      this.plugins,
      this.hub,
      (outcome) => this.hub.emit('plugins.changed', { names: [outcome.name] }),
      describeSource,
    );
    this.history = new RunHistory(this.appData);
    this.runs = new AppRuns({
      plugins: this.plugins,
      runs: this.manager,
      projects: this.projects,
      history: this.history,
      hub: this.hub,
      settings: this.settings,
      prefs: this.prefs,
      ...(options.outputCap ? { outputCap: options.outputCap } : {}),
    });
    this.handlers = this.makeHandlers();
    this.dispatch = createDispatcher(this.handlers);
  }

  /** Creates the app's folders and reopens the project that was current last time. */
  async start(): Promise<this> {
    await mkdir(this.installCwd, { recursive: true });
    await this.projects.restore();
    // Reads every plugin once in the background, so the first window's list comes from warm caches.
    void this.views.list().catch(() => undefined);
    return this;
  }

  async close(): Promise<void> {
    this.operations.close();
    this.runs.close();
    await this.runs.settled();
    this.hub.close();
    await this.uploads.close();
    if (this.ownsManager) await this.manager.close();
  }

  /** For the Electron main process: remembers the window's bounds. */
  setWindowBounds(bounds: Parameters<Handlers['app.setState']>[0]['windowBounds']): void {
    this.appState.set('windowBounds', bounds ?? null);
  }

  private catalog(): CatalogLike {
    const token = this.tokens.get();
    if (!this.catalogFor || this.catalogFor.token !== token) {
      const make =
        this.options.catalog ??
        ((t: string | null) =>
          new CatalogService({
            configDir: this.options.configDir,
            tokenAdvice: APP_TOKEN_ADVICE,
            ...(t === null ? {} : { token: t }),
          }));
      this.catalogFor = { token, catalog: make(token) };
    }
    return this.catalogFor.catalog;
  }

  private settingsView() {
    const s = readSettings(this.settings);
    return {
      ...s,
      githubToken: { saved: this.tokens.get() !== null },
      configDir: this.options.configDir,
    };
  }

  private async projectsChanged() {
    const state = await this.projects.list();
    this.hub.emit('projects.changed', state);
    return state;
  }

  private changed(name: string): void {
    this.hub.emit('plugins.changed', { names: [name] });
  }

  private appStateView() {
    const bounds = this.appState.get('windowBounds');
    const parsed = this.handlersSchemaBounds(bounds);
    return { windowBounds: parsed, ...this.projects.appState() };
  }

  private handlersSchemaBounds(value: unknown) {
    if (value === null || typeof value !== 'object') return null;
    const b = value as Record<string, unknown>;
    const n = (k: string) => (typeof b[k] === 'number' && Number.isInteger(b[k]) ? (b[k] as number) : null);
    const [x, y, width, height] = [n('x'), n('y'), n('width'), n('height')];
    if (x === null || y === null || width === null || height === null) return null;
    return { x, y, width, height, maximized: b.maximized === true };
  }

  /** A plugin installed from a dropped file has nothing to fetch again: say so, not the gone path. */
  private async refuseDroppedUpdate(name: string): Promise<void> {
    const { plugins } = await readRegistry(this.plugins.paths.registryFile);
    const source = plugins.find((p) => p.name === name)?.source;
    const dropped = source === undefined ? null : this.uploads.droppedName(source);
    if (dropped !== null)
      throw new HostError(
        'update_dropped_file',
        `"${name}" was installed from ${dropped}, a file dropped on this window, and Fledge keeps no link to that file, so there is no newer version to look for. Drop the newer file on this window to update it.`,
      );
  }

  private async sourcePath(source: Parameters<Handlers['plugins.install']>[0]['source']): Promise<string> {
    if (source.kind === 'path') return folderPath(source.path);
    if (source.kind === 'upload') return this.uploads.path(source.uploadId);
    return source.spec;
  }

  private makeHandlers(): Handlers {
    return {
      'app.info': () => ({
        name: 'Fledge Desktop',
        version: this.options.version ?? '0.1.0',
        mode: this.options.mode,
        platform: process.platform,
        configDir: this.options.configDir,
        appDataDir: this.appData,
        fledgeVersion: FLEDGE_COMPAT_VERSION,
      }),
      'app.getState': () => this.appStateView(),
      'app.setState': (p) => {
        if (p.windowBounds !== undefined) this.setWindowBounds(p.windowBounds);
        return this.appStateView();
      },

      'projects.open': async (p) => {
        const project = await this.projects.open(p.path);
        await this.projectsChanged();
        return project;
      },
      'projects.list': () => this.projects.list(),
      'projects.forget': async (p) => {
        this.projects.forget(p.path);
        return this.projectsChanged();
      },
      'projects.close': async () => {
        this.projects.close();
        return this.projectsChanged();
      },

      'plugins.list': () => this.views.list(),
      'plugins.get': (p) => this.views.detail(p.name),
      'plugins.upload': (p) => this.uploads.put(p.fileName, p.base64),
      'plugins.validate': async (p) =>
        validateSource(await this.sourcePath(p.source), this.plugins.paths.pluginsDir, this.installCwd),
      'plugins.install': async (p) => {
        const spec = await this.sourcePath(p.source);
        const upload = p.source.kind === 'upload' ? p.source.uploadId : null;
        const label = `Installing ${p.source.kind === 'upload' ? (spec.split('/').pop() ?? 'the dropped archive') : `from ${spec}`}`;
        const operationId = this.operations.install(
          spec,
          label,
          upload ? () => this.uploads.drop(upload) : undefined,
        );
        return { operationId };
      },
      'plugins.update': async (p) => {
        if (!p.from) await this.refuseDroppedUpdate(p.name);
        const installed = await this.views.one(p.name);
        const from = p.from ? await this.sourcePath(p.from) : null;
        const upload = p.from?.kind === 'upload' ? p.from.uploadId : null;
        const operationId = this.operations.update(
          p.name,
          installed.declared,
          from,
          upload ? () => this.uploads.drop(upload) : undefined,
        );
        return { operationId };
      },
      'plugins.remove': async (p) => {
        await this.plugins.remove(p.name);
        forgetPlugin(this.prefs, p.name);
        this.changed(p.name);
        return { ok: true as const };
      },
      'plugins.grant': async (p, context) => {
        const granted = await this.plugins.grant(p.name, p.capabilities, {
          onlyIfUnchanged: context.filesAsApproved === true,
        });
        this.changed(p.name);
        return granted;
      },
      'plugins.revoke': async (p) => {
        const granted = await this.plugins.revoke(p.name, p.capabilities);
        this.changed(p.name);
        return granted;
      },
      'plugins.approve': async (p, context) => {
        await this.plugins.approve(p.name, { onlyIfUnchanged: context.filesAsApproved === true });
        this.changed(p.name);
        return { ok: true as const };
      },
      'plugins.setEnabled': async (p) => {
        await this.views.one(p.name);
        setPluginEnabled(this.prefs, p.name, p.enabled);
        this.changed(p.name);
        return this.views.one(p.name);
      },
      'plugins.setFullAccess': async (p) => {
        const plugin = await this.views.one(p.name);
        if (p.allowed && plugin.consent.state !== 'approved')
          throw new HostError(
            'plugin_needs_approval',
            `Approve "${p.name}" as it is now before you allow it full access.`,
          );
        // Recorded where `fledge-desktop plugins grant NAME full-access` records it, so both see it.
        if (p.allowed)
          await allowFullAccess(this.options.configDir, p.name, join(this.plugins.paths.pluginsDir, p.name));
        else await withdrawFullAccess(this.options.configDir, p.name);
        this.changed(p.name);
        return this.views.one(p.name);
      },
      'plugins.setLimits': async (p) => {
        await this.views.one(p.name);
        setPluginLimits(this.prefs, this.settings, p.name, p.limits);
        this.changed(p.name);
        return this.views.one(p.name);
      },

      'operations.list': () => this.operations.list(),
      'operations.cancel': (p) => {
        this.operations.cancel(p.operationId);
        return { ok: true as const };
      },
      'consent.pending': () => this.operations.pendingConsents(),
      'consent.answer': (p) => {
        this.operations.answer(p);
        return { ok: true as const };
      },

      'catalog.search': async (p) => catalogAnswerView(await this.catalog().search(p)),
      'catalog.inspect': async (p) => {
        const catalog = this.catalog();
        return catalogInspectView(
          catalog.inspectMany
            ? await catalog.inspectMany(p.fullNames)
            : { facts: {}, failed: {}, limited: null },
        );
      },

      'runs.start': (p) => this.runs.start(p),
      'runs.answer': (p) => {
        this.runs.answer(p);
        return { ok: true as const };
      },
      'runs.cancel': (p) => {
        this.runs.cancel(p.runId);
        return { ok: true as const };
      },
      'runs.active': () => this.runs.active(),
      'runs.events': (p) => this.runs.events(p.runId, p.after),
      'runs.history': async (p) => {
        const project = await this.historyProject(p.projectPath);
        return this.history.list(project, {
          ...(p.plugin ? { plugin: p.plugin } : {}),
          ...(p.limit ? { limit: p.limit } : {}),
        });
      },
      'runs.get': (p) => this.runs.get(p.runId),
      'runs.rerun': (p) => this.runs.rerun(p.runId),
      'runs.clearHistory': async (p) => {
        await this.history.clear(await this.historyProject(p.projectPath));
        return { ok: true as const };
      },

      'dialogs.available': () => ({ pickFolder: this.options.pickFolder !== undefined }),
      'dialogs.pickFolder': async (p) => {
        const pick = this.options.pickFolder;
        if (!pick) return { available: false, path: null };
        return { available: true, path: await pick(p.purpose ?? 'project') };
      },

      'settings.get': () => this.settingsView(),
      'settings.update': (p) => {
        writeSettings(this.settings, p);
        const view = this.settingsView();
        this.hub.emit('settings.changed', { settings: view });
        return view;
      },
      'settings.setGithubToken': async (p) => {
        await this.tokens.set(p.token);
        this.catalogFor = null;
        this.hub.emit('settings.changed', { settings: this.settingsView() });
        return { saved: p.token !== null };
      },
    } satisfies Handlers;
  }

  private async historyProject(input: string | null | undefined): Promise<string | null> {
    if (input === undefined) return this.projects.currentContext()?.root ?? null;
    if (input === null) return null;
    // The history is keyed by the folder's real path, as runs record it.
    const ctx = await this.projects.contextFor(input).catch(() => null);
    return ctx?.root ?? folderPath(input);
  }

  /** Calls a method as a window would (tests, tools). */
  call(method: string, params?: unknown, context?: CallContext) {
    return this.dispatch(method, params, context);
  }
}
