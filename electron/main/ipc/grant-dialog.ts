// The native confirmation for a high-risk grant: dialog.showMessageBox on the window that asked,
// the plugin's name, each high-risk part in plain words, "Allow" / "Cancel" with Cancel the default
// (Enter and Escape both cancel; only a deliberate click or Tab+Enter allows).
import { visibleText } from '../../../shared/manifest/visible.js';
import type { GrantQuestion } from './grant-words.js';

export const ALLOW = 0;
export const CANCEL = 1;

/** The options of Electron's dialog.showMessageBox, as far as we set them. */
export interface GrantDialogOptions {
  type: 'warning';
  title: string;
  message: string;
  detail: string;
  buttons: [string, string];
  defaultId: number;
  cancelId: number;
  noLink: true;
}

export function grantDialogOptions(question: GrantQuestion): GrantDialogOptions {
  const name = question.plugin ? `“${visibleText(question.plugin).slice(0, 128)}”` : 'this plugin';
  const list = question.items.map((i) => `• ${i.title}\n  ${i.detail}`).join('\n\n');
  return {
    type: 'warning',
    title: 'Confirm what this plugin may do',
    message: `Allow ${name} to do this?`,
    detail: `${list}\n\nFledge Desktop asks here, outside its window, because this lets the plugin act on your computer. Choose Allow only if you asked for this just now.`,
    buttons: ['Allow', 'Cancel'],
    defaultId: CANCEL,
    cancelId: CANCEL,
    noLink: true,
  };
}

/** True only when the person chose Allow. */
export function allowedBy(answer: { response: number }): boolean {
  return answer.response === ALLOW;
}
