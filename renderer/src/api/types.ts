// The data the screens show: the IPC contract's own types (shared/ipc), nothing declared twice.

export type { TrustTier } from '../../../shared/consent.js';
export type { EventName, EventPayload, MethodName, Params, Result } from '../../../shared/ipc/index.js';
export type {
  AppInfo,
  Capabilities,
  CapabilityName,
  CatalogAnswer,
  CatalogQuery,
  CatalogResult,
  ConsentGrants,
  ConsentRequest,
  EndReason,
  InstallOutcome,
  InstallProgress,
  InstallSource,
  Limits,
  Operation,
  PluginAccess,
  PluginDetail,
  PluginSummary,
  Project,
  ProjectsState,
  RequestEvent,
  RunEnd,
  RunEvent,
  RunRecord,
  RunSummary,
  Settings,
  Theme,
  ValidationReport,
} from '../../../shared/ipc/types.js';

import type { RequestEvent, RunEvent } from '../../../shared/ipc/types.js';
export type LogLevel = Extract<RunEvent, { type: 'log' }>['level'];
export type RequestKind = RequestEvent['kind'];
export type CapabilityRequest = import('../../../shared/ipc/types.js').ConsentRequest['requests'][number];

/** An error as it crosses the boundary: a code for programs, a message for people. */
export interface AppError {
  code: string;
  message: string;
}
