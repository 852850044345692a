// A window whose page crashed (or was killed for memory) shows nothing: reload it, but at most
// three times a minute, so a page that crashes on load does not spin; after that it stays as it is
// and the log says why.

export interface RecoverableWindow {
  isDestroyed(): boolean;
  reload(): void;
}

export function rendererRecovery(
  win: RecoverableWindow,
  log: (line: string) => void,
  options: { maxReloads?: number; windowMs?: number; now?: () => number } = {},
) {
  const max = options.maxReloads ?? 3;
  const span = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const reloads: number[] = [];
  return (_event: unknown, details: { reason: string; exitCode?: number }): void => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    const t = now();
    while (reloads.length && t - reloads[0]! > span) reloads.shift();
    if (reloads.length >= max) {
      log(
        `fledge: the window's page stopped again (${details.reason}); not reloading it (${max} times in a minute)`,
      );
      return;
    }
    reloads.push(t);
    log(
      `fledge: the window's page stopped (${details.reason}, code ${details.exitCode ?? '?'}); reloading it`,
    );
    win.reload();
  };
}
