// The engine's HostServices: what a sandboxed plugin's GRANTED exec/store/metadata calls reach.
// Each call is checked against the grants again here (defence in depth: a call for a capability
// that was not granted is answered like the native protocol's denial, whatever the caller did).
import type { Capabilities } from '../../../shared/capabilities.js';
import {
  execDenied,
  type HostServices,
  type ExecRequest as ProtocolExecRequest,
  type ExecResult as ProtocolExecResult,
} from '../../sandbox/host-services.js';
import { type ExecResult, parseExecRequest, runExec } from './exec.js';
import { collectMetadata } from './metadata.js';
import { PluginStore } from './store.js';

export interface HostServicesOptions {
  pluginName: string;
  pluginDir: string;
  /** The project the run is for; null: exec runs in the plugin dir and the git/config metadata is empty. */
  projectRoot: string | null;
  /** The granted set in force for the run. */
  grants: Capabilities;
  /** Environment for exec and metadata (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Every exec, with the details the run view shows (truncation, timeout, real cwd). */
  onExec?: (request: ProtocolExecRequest, result: ExecResult) => void;
}

export class EngineHostServices implements HostServices {
  private readonly store: PluginStore;
  private readonly aborter = new AbortController();

  constructor(private readonly options: HostServicesOptions) {
    this.store = new PluginStore(options.pluginDir);
  }

  async exec(request: ProtocolExecRequest): Promise<ProtocolExecResult> {
    const { grants, pluginName, pluginDir, projectRoot } = this.options;
    if (!grants.exec) return execDenied(pluginName);
    const parsed = parseExecRequest(request);
    if (!parsed.ok) return { code: 126, stdout: '', stderr: parsed.message };
    const result = await runExec(parsed.request, {
      projectRoot: projectRoot ?? pluginDir,
      pluginDir,
      ...(this.options.env ? { env: this.options.env } : {}),
      signal: this.aborter.signal,
    });
    this.options.onExec?.(request, result);
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  }

  async storeGet(key: string): Promise<string | null> {
    if (!this.options.grants.store) return null;
    return this.store.get(key);
  }

  async storeSet(key: string, value: string): Promise<void> {
    if (!this.options.grants.store) return;
    await this.store.set(key, value);
  }

  async metadata(keys: string[]): Promise<Record<string, unknown>> {
    if (!this.options.grants.metadata) return {};
    return collectMetadata(keys, {
      projectRoot: this.options.projectRoot,
      signal: this.aborter.signal,
      ...(this.options.env ? { env: this.options.env } : {}),
    });
  }

  /** Kills every exec and git query still running, and refuses new ones (call when the run ends). */
  close(): void {
    this.aborter.abort();
  }
}
