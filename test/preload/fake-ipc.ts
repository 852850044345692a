// A fake ipcRenderer wired to the real main-process IPC router and a real AppService: invoke()
// goes through the router as a message from our window's main frame (structured-cloned, as
// Electron's IPC copies it), and the service's event batches come back on the events channel.
import type { AppService } from '../../electron/engine/app/index.js';
import { createIpcRouter } from '../../electron/main/ipc/router.js';
import type { IpcRendererLike } from '../../electron/preload/bridge.js';
import { IPC_CHANNELS } from '../../shared/ipc/index.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

export class FakeIpcRenderer implements IpcRendererLike {
  /** Method names of every call that crossed the channel. */
  readonly invoked: string[] = [];
  readonly listeners = new Map<string, Set<Listener>>();
  private readonly router;
  private readonly unsubscribe: () => void;

  constructor(service: AppService, frameUrl = 'app://fledge/index.html') {
    this.router = createIpcRouter({ dispatch: service.dispatch, isOurWindow: (id) => id === 7 });
    this.unsubscribe = service.hub.subscribe((batch) => this.emit(IPC_CHANNELS.events, batch));
    this.frame = { url: frameUrl, parent: null };
  }

  private readonly frame: { url: string; parent: null };

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    if (channel !== IPC_CHANNELS.call) throw new Error(`No handler registered for '${channel}'`);
    const message = structuredClone(args[0]);
    const method = (message as { method?: unknown } | null)?.method;
    if (typeof method === 'string') this.invoked.push(method);
    return structuredClone(await this.router({ sender: { id: 7 }, senderFrame: this.frame }, message));
  }

  on(channel: string, listener: Listener): this {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: Listener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  /** Delivers a message on a channel as main's webContents.send would. */
  emit(channel: string, payload: unknown): void {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: 'ipc-event' }, structuredClone(payload));
  }

  close(): void {
    this.unsubscribe();
  }
}
