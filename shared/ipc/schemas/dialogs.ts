/**
 * The native open dialogs a window may ask the host for. Electron's main process opens them
 * (dialog.showOpenDialog); browser mode has none and says so, and the window shows its folder path
 * field and recent list instead.
 */
import { z } from 'zod';
import { path } from './common.js';

export const dialogsAvailable = z.object({
  /** Whether dialogs.pickFolder opens the system's folder dialog here (Electron: yes; browser mode: no). */
  pickFolder: z.boolean(),
});

export const pickFolderRequest = z.strictObject({
  /** What the folder is for (the dialog's title and button): a project (default) or a plugin to install. */
  purpose: z.enum(['project', 'plugin']).optional(),
});

export const pickFolderResult = z.object({
  /** False: there is no folder dialog here (browser mode): ask for a path instead. */
  available: z.boolean(),
  /** The folder chosen; null when the person cancelled or no dialog is available. */
  path: path.nullable(),
});
