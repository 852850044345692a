// Native open dialogs: a project folder, a plugin folder, a plugin archive. What was chosen goes
// to the app service through the same contract a window uses (so it is validated the same way).
import { type Dispatch, IpcError } from '../../shared/ipc/index.js';

export interface OpenDialogOptions {
  title: string;
  buttonLabel: string;
  properties: ('openFile' | 'openDirectory' | 'createDirectory')[];
  filters?: { name: string; extensions: string[] }[];
}

export type ShowOpenDialog = (
  options: OpenDialogOptions,
) => Promise<{ canceled: boolean; filePaths: string[] }>;

export const PROJECT_DIALOG: OpenDialogOptions = {
  title: 'Open a project',
  buttonLabel: 'Open Project',
  properties: ['openDirectory', 'createDirectory'],
};

export const PLUGIN_FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Install a plugin from a folder',
  buttonLabel: 'Check and Install',
  properties: ['openDirectory'],
};

export const PLUGIN_ARCHIVE_DIALOG: OpenDialogOptions = {
  title: 'Install a plugin from an archive',
  buttonLabel: 'Check and Install',
  properties: ['openFile'],
  filters: [{ name: 'Plugin archives (.zip, .tar.gz, .tgz)', extensions: ['zip', 'tgz', 'gz'] }],
};

const client = { client: 'electron:main-menu' };

/** Asks for a folder and opens it as the project. Null when the person cancelled. */
export async function chooseProject(show: ShowOpenDialog, dispatch: Dispatch) {
  const answer = await show(PROJECT_DIALOG);
  const path = answer.canceled ? undefined : answer.filePaths[0];
  return path ? dispatch('projects.open', { path }, client) : null;
}

/** Asks for a plugin folder or archive and starts its install (consent follows as events). */
export async function choosePluginToInstall(
  kind: 'folder' | 'archive',
  show: ShowOpenDialog,
  dispatch: Dispatch,
) {
  const answer = await show(kind === 'folder' ? PLUGIN_FOLDER_DIALOG : PLUGIN_ARCHIVE_DIALOG);
  const path = answer.canceled ? undefined : answer.filePaths[0];
  return path ? dispatch('plugins.install', { source: { kind: 'path', path } }, client) : null;
}

/**
 * dialogs.pickFolder for a window (AppServiceOptions.pickFolder): opens the folder dialog for the
 * purpose and returns the folder chosen, null when cancelled. One dialog at a time: a window that
 * asks again while one is open (a compromised renderer looping) is refused, not stacked dialogs.
 */
export function folderPicker(show: ShowOpenDialog) {
  let open = false;
  return async (purpose: 'project' | 'plugin'): Promise<string | null> => {
    if (open)
      throw new IpcError(
        'dialog_open',
        'A folder dialog is already open: choose a folder there, or cancel it.',
      );
    open = true;
    try {
      const answer = await show(purpose === 'plugin' ? PLUGIN_FOLDER_DIALOG : PROJECT_DIALOG);
      return answer.canceled ? null : (answer.filePaths[0] ?? null);
    } finally {
      open = false;
    }
  };
}
