// Every failure a person can meet, put in their words with a next step. Never a stack trace.
import type { AppError } from './types.js';

const NEXT_STEP: Record<string, string> = {
  not_connected: 'Close this window and start Fledge again.',
  disconnected: 'Fledge is reconnecting. If this stays, close the window and start Fledge again.',
  plugin_invalid: 'Ask the plugin’s author for a fixed version, or pick another file.',
  plugin_not_installed: 'Refresh the list of plugins.',
  project_not_found: 'Check the folder still exists, then open it again.',
  plugin_exists:
    'Open it under Plugins and choose “Check for update”, or remove it first to install this one instead.',
  plugin_command_clash: 'Remove the other plugin first if you want this one instead.',
  grant_cancelled: 'Choose again what to allow when you are ready.',
  grant_paused: 'Wait a moment, then choose again what to allow.',
  grant_busy: 'Answer the confirmation that is already open first.',
};

/** Refusals from Electron's own confirmation of a high-risk grant: the person's choice, not a failure. */
export function isGrantRefusal(code: string): boolean {
  return code === 'grant_cancelled' || code === 'grant_paused' || code === 'grant_busy';
}

/** Engine wording meant for the command line, said the app's way. */
function forPeople(code: string, message: string): string {
  if (code === 'plugin_exists') return message.replace(/; use "plugins update [^"]+" to update it$/, '.');
  return message;
}

export interface PersonError {
  title: string;
  message: string;
  next: string | null;
  code: string;
}

function isAppError(e: unknown): e is AppError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as AppError).code === 'string' &&
    typeof (e as AppError).message === 'string'
  );
}

/** Strips what only a developer reads (stack frames, "Error:" prefixes) from a message. */
function cleanMessage(text: string): string {
  const lines = text.split('\n').filter((l) => !/^\s+at\s/.test(l));
  return lines
    .join('\n')
    .replace(/^(Error|TypeError|HostError):\s*/i, '')
    .trim();
}

export function toPersonError(e: unknown, title = 'That did not work'): PersonError {
  if (isAppError(e)) {
    return {
      title,
      message: forPeople(e.code, cleanMessage(e.message)),
      next: NEXT_STEP[e.code] ?? null,
      code: e.code,
    };
  }
  return {
    title,
    message: 'Something went wrong inside Fledge.',
    next: 'Try again. If it happens again, restart Fledge.',
    code: 'unknown',
  };
}
