/** The IPC contract between the app's host (AppService behind Electron or browser mode) and its windows. */
export type { ClientOptions, ConnectionStatus, ContractApi, FledgeApi, Transport } from './client.js';
export { createClient, inProcessTransport } from './client.js';
export type { CallContext, Dispatch, Handlers } from './dispatcher.js';
export { createDispatcher } from './dispatcher.js';
export type { IpcErrorData } from './errors.js';
export { describeIssues, IPC_ERROR_CODES, IpcError, toErrorData } from './errors.js';
export type { AnyEvent, EventName, EventPayload, Events } from './events.js';
export { EVENT_NAMES, events, isEventName } from './events.js';
export type { MethodName, MethodSpec, Methods, Params, ParsedParams, Result } from './methods.js';
export { isMethodName, METHOD_NAMES, methods } from './methods.js';
export type * from './types.js';
export type { EventBatch, Reply, WsClientFrame, WsHostFrame } from './wire.js';
export {
  BATCH_INTERVAL_MS,
  call,
  eventBatch,
  IPC_CHANNELS,
  reply,
  WS_PATH,
  wsClientFrame,
  wsHostFrame,
} from './wire.js';
