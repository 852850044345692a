// The real Electron behind the launcher's UtilityApi (thin: every line here is a call into Electron).
import type { App, UtilityProcess } from 'electron';
import type { UtilityApi, UtilityChild, UtilityForkOptions } from './utility-api.js';

export function electronUtilityApi(
  app: Pick<App, 'getAppMetrics' | 'on' | 'removeListener'>,
  utilityProcess: { fork(path: string, args?: string[], options?: UtilityForkOptions): UtilityProcess },
): UtilityApi {
  return {
    fork: (path, args, options) => utilityProcess.fork(path, args, options) as unknown as UtilityChild,
    getAppMetrics: () => app.getAppMetrics(),
    onChildGone(listener) {
      const handler = (_event: unknown, details: Parameters<typeof listener>[0]) => listener(details);
      app.on('child-process-gone', handler);
      return () => {
        app.removeListener('child-process-gone', handler);
      };
    },
  };
}

/** Files unpacked from the asar (the sandbox host and its workers) live beside it in app.asar.unpacked. */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}
