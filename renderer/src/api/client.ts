// The one door to the app: `window.fledge`, the typed client of the IPC contract (the preload
// provides it in Electron, renderer/bridge in browser mode). Calls are `fledge().group.verb(req)`;
// events arrive through `onEvent`.
import type { FledgeApi } from '../../../shared/ipc/index.js';
import type { AppError, EventName, EventPayload } from './types.js';

export function hasClient(): boolean {
  return typeof window !== 'undefined' && (window as { fledge?: FledgeApi }).fledge !== undefined;
}

export function fledge(): FledgeApi {
  const client = (window as { fledge?: FledgeApi }).fledge;
  if (!client)
    throw { code: 'not_connected', message: 'This window is not connected to Fledge.' } satisfies AppError;
  return client;
}

export function onEvent<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): () => void {
  return fledge().on(event, listener);
}
