/**
 * `npm run serve [-- --port N] [--open]`: the app in a browser. Starts the engine's AppService and
 * the loopback server, prints the address (with its access key), and stops cleanly on Ctrl-C.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppService } from '../engine/app/index.js';
import { resolveConfigDir } from '../engine/registry/config-dir.js';
import { openBrowser } from './open-browser.js';
import { startServer } from './server.js';

const USAGE = `Usage: npm run serve -- [--port N] [--open]

Serves Fledge Desktop to a browser on this computer only (127.0.0.1). Open the address it prints:
it carries a one-time access key that becomes a cookie of that browser.

  --port N   listen on port N (default: a free port)
  --open     open the address in the default browser when there is one
`;

async function main(): Promise<number> {
  let values: { port?: string; open?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, open: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    process.stderr.write(`serve: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let port = 0;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
      process.stderr.write('serve: --port must be a port number (1-65535), or leave it out for a free one\n');
      return 2;
    }
    port = Number(values.port);
  }
  const dist = dirname(fileURLToPath(import.meta.url));
  const service = await new AppService({ configDir: resolveConfigDir(), mode: 'browser' }).start();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      service,
      port,
      rendererDir: process.env.FLEDGE_RENDERER_DIR ?? join(dist, 'renderer'),
      bridgeFile: join(dist, 'fledge-bridge.js'),
    });
  } catch (err) {
    await service.close();
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `serve: port ${port} is in use; pick another with --port, or leave --port out for a free one\n`
        : `serve: could not start the server: ${(err as Error).message}\n`,
    );
    return 1;
  }
  process.stdout.write(`Fledge Desktop (browser mode) is at: ${server.url}\n`);
  if (values.open && !openBrowser(server.url))
    process.stdout.write('No browser could be opened here; open the address above in one.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await service.close();
  return 0;
}

process.exitCode = await main();
