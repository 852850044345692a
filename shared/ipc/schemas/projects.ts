/** Projects as the screens show them: the folder plugins run against, with what was detected in it. */
import { z } from 'zod';
import { epochMs, line, path, text } from './common.js';

export const gitInfo = z.object({
  branch: line(),
  /** True when the work tree has uncommitted changes. */
  dirty: z.boolean(),
  remote: line(),
  remoteUrl: line(4096),
});

export const project = z.object({
  /** The folder's real path. */
  path: text(4096),
  name: line(),
  language: line(),
  git: gitInfo.nullable(),
  /** False when the folder is gone (a recent project that was moved or deleted). */
  exists: z.boolean(),
  lastOpenedAt: epochMs,
});

export const projectsState = z.object({
  current: project.nullable(),
  recent: z.array(project).max(50),
});

export const openProjectRequest = z.strictObject({ path });
export const forgetProjectRequest = z.strictObject({ path });
