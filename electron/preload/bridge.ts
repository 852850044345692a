// What the preload exposes, built without Electron so tests can drive it: the contract's client
// (createClient, generated from shared/ipc: the API is not written twice) over an IPC transport.
// Only functions and plain data cross contextBridge: no ipcRenderer, no Node object, no event
// object. Errors are rethrown as plain {code, message} (contextBridge keeps only the message of an
// Error instance, and the renderer needs the code).
import {
  createClient,
  type FledgeApi,
  IPC_CHANNELS,
  IPC_ERROR_CODES,
  type IpcErrorData,
  METHOD_NAMES,
  type Transport,
} from '../../shared/ipc/index.js';

/** The slice of Electron's ipcRenderer the transport uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function ipcTransport(ipc: IpcRendererLike): Transport {
  return {
    call: (method, params) => ipc.invoke(IPC_CHANNELS.call, { method, params }),
    subscribe(listener) {
      // The IPC event object (with its sender) never reaches the page: only the batch.
      const handler = (_event: unknown, batch: unknown) => listener(batch);
      ipc.on(IPC_CHANNELS.events, handler);
      return () => {
        ipc.removeListener(IPC_CHANNELS.events, handler);
      };
    },
    onStatus(listener) {
      listener('connected'); // Electron IPC does not disconnect while the window lives
      return () => {};
    },
  };
}

function plainError(err: unknown): IpcErrorData {
  const e = err as Partial<IpcErrorData> | null;
  return {
    code: typeof e?.code === 'string' ? e.code : IPC_ERROR_CODES.internal,
    message: typeof e?.message === 'string' ? e.message : 'Something went wrong in Fledge.',
  };
}

const guarded =
  <A extends unknown[]>(fn: (...args: A) => Promise<unknown>) =>
  async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw plainError(err);
    }
  };

/** window.fledge: the typed client, every method's errors as plain {code, message}. Frozen. */
export function preloadApi(ipc: IpcRendererLike): FledgeApi {
  const client = createClient(ipcTransport(ipc));
  const api: Record<string, unknown> = {
    call: guarded((method: never, params?: never) => client.call(method, params)),
    on: (event: never, listener: never) => {
      try {
        return client.on(event, listener);
      } catch (err) {
        throw plainError(err);
      }
    },
    onStatus: (listener: never) => client.onStatus(listener),
  };
  const groups = client as unknown as Record<string, Record<string, (p?: unknown) => Promise<unknown>>>;
  for (const name of METHOD_NAMES) {
    const [group, verb] = name.split('.') as [string, string];
    api[group] ??= {};
    (api[group] as Record<string, unknown>)[verb] = guarded((params?: unknown) =>
      groups[group]![verb]!(params),
    );
  }
  for (const value of Object.values(api)) if (typeof value === 'object' && value) Object.freeze(value);
  return Object.freeze(api) as unknown as FledgeApi;
}

/** window.fledgeFiles: the real path of a dropped file (Electron's webUtils), nothing else. */
export function filesApi(getPathForFile: (file: never) => string) {
  return Object.freeze({
    pathForFile(file: unknown): string | null {
      try {
        const path = getPathForFile(file as never);
        return typeof path === 'string' && path !== '' ? path : null;
      } catch {
        return null; // not a File, or a file with no path (made in the page)
      }
    },
  });
}
