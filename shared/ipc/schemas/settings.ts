/**
 * Settings (default limits and their ceilings, theme, whether a GitHub token is saved: never the token
 * itself) and the app state the shell remembers (window bounds, recent projects).
 */
import { z } from 'zod';
import { fuel, limits, limitsPatch, memoryMb, text, timeoutMs } from './common.js';

export const theme = z.enum(['system', 'light', 'dark']);

export const settings = z.object({
  /** What every run gets unless the plugin has its own limits. */
  defaultLimits: limits,
  /** No limit (default or per plugin) may exceed these. */
  ceilings: limits,
  theme,
  /** Whether a GitHub token is saved for the catalog. The token itself never leaves the host. */
  githubToken: z.object({ saved: z.boolean() }),
  /** Where fledge's files are (plugins.toml, plugins/). */
  configDir: text(4096),
  /** Runs kept in history per project. */
  historyPerProject: z.number().int().min(1).max(1000),
});

export const settingsUpdate = z.strictObject({
  defaultLimits: limitsPatch.optional(),
  ceilings: z
    .strictObject({ fuel: fuel.optional(), timeoutMs: timeoutMs.optional(), memoryMb: memoryMb.optional() })
    .optional(),
  theme: theme.optional(),
  historyPerProject: z.number().int().min(1).max(1000).optional(),
});

export const githubTokenRequest = z.strictObject({
  /** A personal access token, or null to forget the saved one. */
  token: z
    .string()
    .min(1, { message: 'must not be empty (send null to remove the token)' })
    .max(512)
    .regex(/^[A-Za-z0-9_.-]+$/, { message: 'must be a GitHub token (letters, digits, "_", "." or "-")' })
    .nullable(),
});

export const windowBounds = z.strictObject({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(200).max(100_000),
  height: z.number().int().min(200).max(100_000),
  maximized: z.boolean(),
});

export const appState = z.object({
  windowBounds: windowBounds.nullable(),
  recentProjects: z.array(text(4096)).max(50),
  currentProject: text(4096).nullable(),
});

export const appStatePatch = z.strictObject({ windowBounds: windowBounds.nullable().optional() });

export const appInfo = z.object({
  name: z.string().max(64),
  version: z.string().max(64),
  /** "electron": the desktop app; "browser": served by `npm run serve`; "headless": tests and tools. */
  mode: z.enum(['electron', 'browser', 'headless']),
  platform: z.string().max(32),
  configDir: text(4096),
  /** The app's own data: <config>/fledge-desktop. */
  appDataDir: text(4096),
  fledgeVersion: z.string().max(32),
});
