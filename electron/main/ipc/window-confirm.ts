// The grant guard's confirmation in Electron: the window that made the call (the router names it
// "electron:<webContentsId>") shows the native dialog; no window of ours, no grant. A cancelled
// or paused consent answer leaves the request pending, so it is offered to the windows again.
import type { CallContext, Dispatch, EventPayload, Result } from '../../../shared/ipc/index.js';
import { allowedBy, type GrantDialogOptions, grantDialogOptions } from './grant-dialog.js';
import type { GrantGuardOptions } from './grant-guard.js';

/** The webContents id in a router's call context; null for any other caller. */
export function senderIdOf(context: CallContext): number | null {
  const m = /^electron:(\d+)$/.exec(context.client);
  return m ? Number(m[1]) : null;
}

export interface ConfirmWindow {
  isDestroyed(): boolean;
  readonly webContents: { readonly id: number };
}

export function windowConfirm<W extends ConfirmWindow>(
  windowFor: (webContentsId: number) => W | null,
  showMessageBox: (window: W, options: GrantDialogOptions) => Promise<{ response: number }>,
): GrantGuardOptions['confirm'] {
  return async (question, context) => {
    const id = senderIdOf(context);
    const win = id === null ? null : windowFor(id);
    if (!win || win.isDestroyed()) return false;
    return allowedBy(await showMessageBox(win, grantDialogOptions(question)));
  };
}

/** After a refused consent.answer (cancelled, paused): the request, still pending, is sent to the windows again. */
export function reofferConsent(
  dispatch: Dispatch,
  emit: (payload: EventPayload<'consent.requested'>) => void,
): NonNullable<GrantGuardOptions['onRefused']> {
  return (method, params) => {
    if (method !== 'consent.answer') return;
    const consentId = (params as { consentId?: unknown }).consentId;
    void dispatch('consent.pending', {}, { client: 'electron:grant-check' }).then((reply) => {
      if (!reply.ok) return;
      const view = (reply.result as Result<'consent.pending'>).find((v) => v.id === consentId);
      if (view) emit({ request: view });
    });
  };
}
