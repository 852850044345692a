// The project plugins run against (always shown in the frame) and the recent ones.
import { fledge, onEvent } from '../api/client.js';
import { type PersonError, toPersonError } from '../api/errors.js';
import type { Project, ProjectsState } from '../api/types.js';
import { createStore } from '../lib/store.js';

export interface ProjectState {
  loaded: boolean;
  current: Project | null;
  recent: Project[];
  error: PersonError | null;
  opening: boolean;
  /** Whether the system's folder dialog can be opened here (Electron); null until known. */
  folderDialog: boolean | null;
}

export const projectStore = createStore<ProjectState>({
  loaded: false,
  current: null,
  recent: [],
  error: null,
  opening: false,
  folderDialog: null,
});

function take(state: ProjectsState): void {
  projectStore.set((s) => ({ ...s, loaded: true, current: state.current, recent: state.recent }));
}

export async function loadProjects(): Promise<void> {
  void fledge()
    .dialogs.available({})
    .then((d) => projectStore.set((s) => ({ ...s, folderDialog: d.pickFolder })))
    .catch(() => projectStore.set((s) => ({ ...s, folderDialog: false })));
  try {
    take(await fledge().projects.list({}));
  } catch (e) {
    projectStore.set((s) => ({
      ...s,
      loaded: true,
      error: toPersonError(e, 'Your projects could not be loaded'),
    }));
  }
}

export function wireProjectEvents(): void {
  onEvent('projects.changed', take);
}

/** Opens a folder as the current project; resolves to true when it worked. */
export async function openProject(path: string): Promise<boolean> {
  projectStore.set((s) => ({ ...s, opening: true, error: null }));
  try {
    await fledge().projects.open({ path });
    take(await fledge().projects.list({}));
    projectStore.set((s) => ({ ...s, opening: false, error: null }));
    return true;
  } catch (e) {
    projectStore.set((s) => ({
      ...s,
      opening: false,
      error: toPersonError(e, 'That folder could not be opened'),
    }));
    return false;
  }
}

/**
 * Asks for a folder with the system's dialog and opens it: true when a project was opened, false when
 * the person cancelled or it failed (the error is shown), or when there is no dialog here (then the
 * screen shows the folder path field only).
 */
export async function pickAndOpenProject(): Promise<boolean> {
  projectStore.set((s) => ({ ...s, error: null }));
  try {
    const answer = await fledge().dialogs.pickFolder({ purpose: 'project' });
    if (!answer.available) {
      projectStore.set((s) => ({ ...s, folderDialog: false }));
      return false;
    }
    return answer.path ? openProject(answer.path) : false;
  } catch (e) {
    projectStore.set((s) => ({ ...s, error: toPersonError(e, 'The folder dialog could not be opened') }));
    return false;
  }
}

export async function forgetProject(path: string): Promise<void> {
  take(await fledge().projects.forget({ path }));
}

export async function closeProject(): Promise<void> {
  take(await fledge().projects.close({}));
}
