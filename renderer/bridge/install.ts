/**
 * Browser mode's `window.fledge`: the contract's client over the WebSocket of the server that served
 * this page. Loaded as a classic script before the app (the server puts it first in <head>); does
 * nothing where a preload already provided `window.fledge` (Electron).
 */
import { createClient } from '../../shared/ipc/index.js';
import { type SocketLike, webSocketTransport } from './ws-transport.js';

type Scope = {
  fledge?: unknown;
  location: { protocol: string; host: string };
  WebSocket: new (url: string) => SocketLike;
};

const scope = globalThis as unknown as Scope;

if (scope.fledge === undefined) {
  const url = `${scope.location.protocol === 'https:' ? 'wss' : 'ws'}://${scope.location.host}/ipc`;
  const transport = webSocketTransport({ url, connect: (u) => new scope.WebSocket(u) });
  Object.defineProperty(globalThis, 'fledge', {
    value: Object.freeze(createClient(transport)),
    writable: false,
    configurable: false,
    enumerable: true,
  });
}
