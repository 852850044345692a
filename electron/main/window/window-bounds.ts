// Window state remembered between sessions: where the window was, how big, whether maximised.
// Restored only where it is still visible (a monitor may have been unplugged since).
import { windowBounds } from '../../../shared/ipc/schemas/settings.js';

export interface SavedBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 1200, height: 800 } as const;
/** At least this much of the title bar must be on a screen for the saved place to be used. */
const MIN_VISIBLE = { width: 120, height: 40 } as const;

/** The saved bounds if they are well-formed (the store file is outside input), else null. */
export function parseSavedBounds(value: unknown): SavedBounds | null {
  const parsed = windowBounds.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function overlap(a: Area, b: Area): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/** Where to open the window: the saved place if still on a screen (size fitted to it), else centred. */
export function boundsToRestore(
  saved: SavedBounds | null,
  workAreas: Area[],
): { bounds: { x?: number; y?: number; width: number; height: number }; maximized: boolean } {
  if (!saved) return { bounds: { ...DEFAULT_SIZE }, maximized: false };
  const titleBar = { x: saved.x, y: saved.y, width: saved.width, height: MIN_VISIBLE.height };
  const screen = workAreas.find((a) => {
    const o = overlap(titleBar, a);
    return o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height;
  });
  if (!screen) {
    const first = workAreas[0];
    return {
      bounds: {
        width: Math.min(saved.width, first?.width ?? saved.width),
        height: Math.min(saved.height, first?.height ?? saved.height),
      },
      maximized: saved.maximized,
    };
  }
  return {
    bounds: {
      x: saved.x,
      y: saved.y,
      width: Math.min(saved.width, screen.width),
      height: Math.min(saved.height, screen.height),
    },
    maximized: saved.maximized,
  };
}

/** The slice of BrowserWindow that bounds tracking uses. */
export interface WindowLike {
  getNormalBounds(): Area;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

/** Saves the window's bounds shortly after it stops moving or resizing, and when it closes. */
export function rememberBounds(win: WindowLike, save: (b: SavedBounds) => void, delayMs = 400): void {
  let timer: NodeJS.Timeout | null = null;
  const now = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    const bounds = {
      x: Math.round(b.x),
      y: Math.round(b.y),
      width: Math.round(b.width),
      height: Math.round(b.height),
    };
    const saved = parseSavedBounds({ ...bounds, maximized: win.isMaximized() });
    if (saved) save(saved);
  };
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(now, delayMs);
  };
  for (const e of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(e, soon);
  win.on('close', now);
}
