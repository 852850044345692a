// The IPC router of the main process: every message from a window is checked before the contract
// sees it. The sender frame must be the main frame of one of our windows, showing a page of our
// own origin (app://fledge); the message must be a well-formed call. Anything else is answered with
// a clean `forbidden` / `invalid_request` error and changes nothing.
import type { Dispatch, Reply } from '../../../shared/ipc/index.js';
import { call, IPC_ERROR_CODES } from '../../../shared/ipc/index.js';
import { isAppUrl } from '../security/origin.js';

export const FORBIDDEN = 'forbidden';

/** What Electron's IpcMainInvokeEvent tells about the sender, as far as the router looks. */
export interface IpcSenderEvent {
  sender: { id: number };
  /** Null when the frame navigated away or was destroyed before the message was handled. */
  senderFrame: { url: string; parent?: unknown } | null;
}

/** Why a sender is refused, in words for the log; null when it is ours. */
export function senderProblem(event: IpcSenderEvent): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the frame that sent it is gone';
  // A main frame has no parent (WebFrameMain.parent is null); iframes, even of our origin, may not talk.
  if (frame.parent !== null && frame.parent !== undefined)
    return 'it came from a sub-frame, not the window itself';
  if (!isAppUrl(frame.url))
    return `it came from a page that is not Fledge's own (${String(frame.url).slice(0, 200)})`;
  return null;
}

export interface RouterOptions {
  dispatch: Dispatch;
  /** Whether a webContents id is one of our windows (a message from any other is refused). */
  isOurWindow: (webContentsId: number) => boolean;
  /** Told about every refused message (for the log). */
  onRefused?: (reason: string) => void;
}

/** The ipcMain.handle(IPC_CHANNELS.call, ...) handler. Never throws. */
export function createIpcRouter(options: RouterOptions) {
  return async (event: IpcSenderEvent, message: unknown): Promise<Reply> => {
    const problem = options.isOurWindow(event.sender.id)
      ? senderProblem(event)
      : "it came from a web page that is not one of Fledge's windows";
    if (problem) {
      options.onRefused?.(problem);
      return { ok: false, error: { code: FORBIDDEN, message: `Fledge refused a message: ${problem}.` } };
    }
    const parsed = call.safeParse(message);
    if (!parsed.success) {
      options.onRefused?.('a malformed call');
      return {
        ok: false,
        error: { code: IPC_ERROR_CODES.invalidRequest, message: 'Fledge refused a malformed message.' },
      };
    }
    return options.dispatch(parsed.data.method, parsed.data.params, {
      client: `electron:${event.sender.id}`,
    });
  };
}
