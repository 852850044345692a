// Browser mode for the end-to-end tests: the renderer built by Vite into a temp folder, the bridge
// bundled by esbuild, the real AppService (engine, sandbox processes) behind the real browser-mode
// server (electron/serve), on 127.0.0.1 with its token. Restartable on the same config dir.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { AppService, type AppServiceOptions } from '../../../electron/engine/app/index.js';
import { type RunningServer, startServer } from '../../../electron/serve/server.js';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface BuiltRenderer {
  rendererDir: string;
  bridgeFile: string;
}

/** Builds the renderer and the bridge into `dir` (a temp folder: tests never touch dist/renderer). */
export async function buildRenderer(dir: string): Promise<BuiltRenderer> {
  const rendererDir = join(dir, 'renderer');
  const bridgeFile = join(dir, 'fledge-bridge.js');
  mkdirSync(dir, { recursive: true });
  await viteBuild({
    configFile: join(ROOT, 'renderer', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: rendererDir, emptyOutDir: true, sourcemap: false },
  });
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['renderer/bridge/install.ts'],
    outfile: bridgeFile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
  return { rendererDir, bridgeFile };
}

export interface RunningApp {
  url: string;
  origin: string;
  service: AppService;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startApp(
  built: BuiltRenderer,
  configDir: string,
  extra: Partial<AppServiceOptions> = {},
): Promise<RunningApp> {
  const service = await new AppService({ configDir, mode: 'browser', ...extra }).start();
  const server = await startServer({ service, rendererDir: built.rendererDir, bridgeFile: built.bridgeFile });
  return {
    url: server.url,
    origin: `http://127.0.0.1:${server.port}`,
    service,
    server,
    async close() {
      await server.close();
      await service.close();
    },
  };
}
