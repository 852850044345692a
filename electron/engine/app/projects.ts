/**
 * Projects for the app: open a folder (a full path, `~` for the home folder), detect its name,
 * language and git state, remember the recent ones (app-state store) and which one is current.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod';
import { HostError, isHostError } from '../host/errors.js';
import { type ProjectContext, projectContext } from '../host/project.js';
import type { KeyValueStore } from './stores.js';

export const MAX_RECENT = 20;

export interface ProjectView {
  path: string;
  name: string;
  language: string;
  git: { branch: string; dirty: boolean; remote: string; remoteUrl: string } | null;
  exists: boolean;
  lastOpenedAt: number;
}

const recentSchema = z
  .array(z.object({ path: z.string().max(4096), lastOpenedAt: z.number().int().min(0) }))
  .max(100);
type Recent = z.output<typeof recentSchema>;

/** A path typed or dropped by the person, made absolute; a relative one is refused with what to type. */
export function folderPath(input: string): string {
  let p = input.trim();
  if (p === '~' || p.startsWith('~/')) p = join(homedir(), p.slice(1));
  if (!isAbsolute(p))
    throw new HostError(
      'project_path_relative',
      `"${input}" is not a full path. Type the folder's full path, such as ${join(homedir(), 'my-project')}.`,
    );
  return normalize(p);
}

export class Projects {
  private current: ProjectContext | null = null;

  constructor(private readonly state: KeyValueStore) {}

  private recent(): Recent {
    const parsed = recentSchema.safeParse(this.state.get('recentProjects'));
    return parsed.success ? parsed.data : [];
  }

  /** The project runs use by default (null: none open). */
  currentContext(): ProjectContext | null {
    return this.current;
  }

  async open(input: string): Promise<ProjectView> {
    const ctx = await detect(folderPath(input));
    this.current = ctx;
    const now = Date.now();
    const recent = [
      { path: ctx.root, lastOpenedAt: now },
      ...this.recent().filter((r) => r.path !== ctx.root),
    ].slice(0, MAX_RECENT);
    this.state.set('recentProjects', recent);
    this.state.set('currentProject', ctx.root);
    return view(ctx, now);
  }

  /** Reopens the project that was current when the app last ran (if it still exists). */
  async restore(): Promise<void> {
    const last = this.state.get('currentProject');
    if (typeof last !== 'string' || !isAbsolute(last)) return;
    this.current = await detect(last).catch(() => null);
  }

  close(): void {
    this.current = null;
    this.state.set('currentProject', null);
  }

  forget(input: string): void {
    const path = folderPath(input);
    this.state.set(
      'recentProjects',
      this.recent().filter((r) => r.path !== path),
    );
  }

  /** The current project and the recent ones, each detected again (a missing folder is marked). */
  async list(): Promise<{ current: ProjectView | null; recent: ProjectView[] }> {
    const recent = await Promise.all(
      this.recent().map(async (r) => {
        try {
          return view(await detect(r.path), r.lastOpenedAt);
        } catch {
          return missing(r.path, r.lastOpenedAt);
        }
      }),
    );
    if (this.current) {
      const fresh = await detect(this.current.root).catch(() => null);
      if (fresh) this.current = fresh;
    }
    const cur = this.current;
    const currentView = cur ? (recent.find((r) => r.path === cur.root) ?? view(cur, Date.now())) : null;
    return { current: currentView, recent };
  }

  /** A project's context for a run (the current one when `input` is undefined). */
  async contextFor(input: string | null | undefined): Promise<ProjectContext | null> {
    if (input === undefined) return this.current;
    if (input === null) return null;
    return detect(folderPath(input));
  }

  appState(): { recentProjects: string[]; currentProject: string | null } {
    return { recentProjects: this.recent().map((r) => r.path), currentProject: this.current?.root ?? null };
  }
}

async function detect(path: string): Promise<ProjectContext> {
  const st = await stat(path).catch(() => null);
  if (!st)
    throw new HostError(
      'project_missing',
      `There is no folder at ${path}. Check the path, or pick the folder again.`,
    );
  if (!st.isDirectory())
    throw new HostError('project_not_folder', `${path} is a file, not a folder. Pick the project's folder.`);
  try {
    return await projectContext(path);
  } catch (err) {
    if (isHostError(err)) throw err;
    throw new HostError('project_unreadable', `The folder ${path} cannot be read: ${(err as Error).message}`);
  }
}

function view(ctx: ProjectContext, lastOpenedAt: number): ProjectView {
  return {
    path: ctx.root,
    name: ctx.name,
    language: ctx.language,
    git: ctx.git
      ? {
          branch: ctx.git.branch,
          dirty: ctx.git.dirty,
          remote: ctx.git.remote,
          remoteUrl: ctx.git.remote_url,
        }
      : null,
    exists: true,
    lastOpenedAt,
  };
}

function missing(path: string, lastOpenedAt: number): ProjectView {
  const name = path.split('/').filter(Boolean).pop() ?? path;
  return { path, name, language: 'unknown', git: null, exists: false, lastOpenedAt };
}
