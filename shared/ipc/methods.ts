/**
 * Every method of the IPC contract: its name ("group.verb"), its request schema and its result
 * schema. The one list both transports, both sides and the generated `window.fledge` come from.
 * Names have exactly one dot: `window.fledge.<group>.<verb>(request)`.
 */
import { z } from 'zod';
import {
  catalogAnswer,
  catalogInspectAnswer,
  catalogInspectRequest,
  catalogQuery,
} from './schemas/catalog.js';
import { capabilities, empty, ok } from './schemas/common.js';
import { consentAnswerRequest, consentRequest } from './schemas/consent.js';
import { dialogsAvailable, pickFolderRequest, pickFolderResult } from './schemas/dialogs.js';
import { operation, operationIdRequest, operationStarted } from './schemas/operations.js';
import {
  capabilitiesRequest,
  installRequest,
  pluginDetail,
  pluginNameRequest,
  pluginSummary,
  setEnabledRequest,
  setFullAccessRequest,
  setLimitsRequest,
  updateRequest,
  uploadRequest,
  uploadResult,
  validateRequest,
  validationReport,
} from './schemas/plugins.js';
import { forgetProjectRequest, openProjectRequest, project, projectsState } from './schemas/projects.js';
import {
  answerRequest,
  clearHistoryRequest,
  historyRequest,
  runEvent,
  runEventsRequest,
  runIdRequest,
  runRecord,
  runSummary,
  startRunRequest,
} from './schemas/runs.js';
import {
  appInfo,
  appState,
  appStatePatch,
  githubTokenRequest,
  settings,
  settingsUpdate,
} from './schemas/settings.js';

export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  result: Res;
  /** One line for people reading the contract. */
  doc: string;
}

const method = <Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  result: Res,
  doc: string,
): MethodSpec<Req, Res> => ({ request, result, doc });

export const methods = {
  // ---- app ----------------------------------------------------------------------------------------
  'app.info': method(empty, appInfo, 'Which app this is, how it runs and where its files are.'),
  'app.getState': method(empty, appState, 'Window bounds and recent projects as remembered.'),
  'app.setState': method(appStatePatch, appState, 'Remembers window bounds.'),

  // ---- projects -----------------------------------------------------------------------------------
  'projects.open': method(openProjectRequest, project, 'Opens a folder as the current project.'),
  'projects.list': method(empty, projectsState, 'The current project and the recent ones, detected again.'),
  'projects.forget': method(forgetProjectRequest, projectsState, 'Removes a folder from the recent list.'),
  'projects.close': method(
    empty,
    projectsState,
    'Leaves the current project (plugins then run without one).',
  ),

  // ---- plugins ------------------------------------------------------------------------------------
  'plugins.list': method(
    empty,
    z.array(pluginSummary),
    'Every installed plugin, as `plugins audit` shows it.',
  ),
  'plugins.get': method(pluginNameRequest, pluginDetail, "One plugin's detail page."),
  'plugins.upload': method(
    uploadRequest,
    uploadResult,
    'Keeps the bytes of a dropped archive for plugins.validate / plugins.install (browser mode).',
  ),
  'plugins.validate': method(
    validateRequest,
    validationReport,
    'Checks a folder or archive; every problem at once.',
  ),
  'plugins.install': method(
    installRequest,
    operationStarted,
    'Starts an install; progress, consent and the end come as events.',
  ),
  'plugins.update': method(
    updateRequest,
    operationStarted,
    'Starts an update from the recorded source, or from a folder, archive or upload (`from`).',
  ),
  'plugins.remove': method(pluginNameRequest, ok, 'Removes a plugin with its data and approval.'),
  'plugins.grant': method(
    capabilitiesRequest,
    capabilities,
    'Grants more capabilities; approves the current binaries.',
  ),
  'plugins.revoke': method(capabilitiesRequest, capabilities, 'Withdraws capabilities.'),
  'plugins.approve': method(pluginNameRequest, ok, 'Approves the binaries as they are on disk now.'),
  'plugins.setEnabled': method(
    setEnabledRequest,
    pluginSummary,
    'Disables a plugin without removing it, or enables it.',
  ),
  'plugins.setLimits': method(
    setLimitsRequest,
    pluginSummary,
    "Sets this plugin's own limits (null: the default).",
  ),
  'plugins.setFullAccess': method(
    setFullAccessRequest,
    pluginSummary,
    'Lets a native plugin run with full access (not contained), as its programs are now, or contains it again.',
  ),

  // ---- installs and consent -----------------------------------------------------------------------
  'operations.list': method(empty, z.array(operation), 'Installs and updates in progress or just finished.'),
  'operations.cancel': method(operationIdRequest, ok, 'Stops an install or update; nothing is installed.'),
  'consent.pending': method(empty, z.array(consentRequest), 'Consent requests waiting for an answer.'),
  'consent.answer': method(
    consentAnswerRequest,
    ok,
    'Answers a consent request: per-capability grants, or decline.',
  ),

  // ---- catalog ------------------------------------------------------------------------------------
  'catalog.search': method(catalogQuery, catalogAnswer, 'Searches GitHub for fledge plugins.'),
  'catalog.inspect': method(
    catalogInspectRequest,
    catalogInspectAnswer,
    'Looks at catalog entries before install (runtime, prebuilt or needs a toolchain), within GitHub’s limits.',
  ),

  // ---- runs ---------------------------------------------------------------------------------------
  'runs.start': method(startRunRequest, runSummary, 'Starts a run; its events come as runs.events.'),
  'runs.answer': method(answerRequest, ok, 'Answers a prompt, confirm, select or multi_select.'),
  'runs.cancel': method(runIdRequest, ok, 'Asks a run to stop; it is killed after a short grace period.'),
  'runs.active': method(empty, z.array(runSummary), 'Runs in progress, with their open questions.'),
  'runs.events': method(
    runEventsRequest,
    z.object({ events: z.array(runEvent), truncated: z.boolean(), totalEvents: z.number().int().min(0) }),
    "A run's events so far (live or finished), to catch up on a run started elsewhere.",
  ),
  'runs.history': method(historyRequest, z.array(runSummary), "A project's finished runs, newest first."),
  'runs.get': method(runIdRequest, runRecord, 'One finished (or live) run with its kept output.'),
  'runs.rerun': method(
    runIdRequest,
    runSummary,
    'Starts the same plugin, command, arguments and project again.',
  ),
  'runs.clearHistory': method(clearHistoryRequest, ok, "Forgets a project's run history."),

  // ---- native dialogs -----------------------------------------------------------------------------
  'dialogs.available': method(empty, dialogsAvailable, 'Which native dialogs this app can open.'),
  'dialogs.pickFolder': method(
    pickFolderRequest,
    pickFolderResult,
    "Opens the system's folder dialog (Electron) and returns the folder chosen; browser mode: not available.",
  ),

  // ---- settings -----------------------------------------------------------------------------------
  'settings.get': method(
    empty,
    settings,
    'Default limits, ceilings, theme, whether a GitHub token is saved.',
  ),
  'settings.update': method(
    settingsUpdate,
    settings,
    'Changes settings; limits are checked against the ceilings.',
  ),
  'settings.setGithubToken': method(
    githubTokenRequest,
    z.object({ saved: z.boolean() }),
    'Saves (or forgets) the GitHub token; it is never sent back.',
  ),
} as const satisfies Record<string, MethodSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller passes (before defaults). */
export type Params<N extends MethodName> = z.input<Methods[N]['request']>;
/** What a handler receives (after validation). */
export type ParsedParams<N extends MethodName> = z.output<Methods[N]['request']>;
export type Result<N extends MethodName> = z.output<Methods[N]['result']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

/** True for a name of the contract (own property only: "__proto__", "toString" are not methods). */
export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
