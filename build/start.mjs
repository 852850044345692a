// `npm start`: builds what the app needs (esbuild bundles; the renderer with Vite when its sources
// changed), then opens the desktop app in Electron. Where Electron's binary is missing and cannot be
// fetched (or there is no display to open a window on), it says so in one line and starts browser
// mode instead, opening the printed address in a browser when there is one.
//   --browser           browser mode without trying Electron (also FLEDGE_BROWSER_MODE=1)
//   --no-build          use dist/ as it is
//   --port N            browser mode's port
//   FLEDGE_START_TIMING=1  prints how long after the build the address was printed
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const wantBrowser = args.includes('--browser') || process.env.FLEDGE_BROWSER_MODE === '1';
// Tests: use dist/ as it is (the test run's global setup built it).
const noBuild = args.includes('--no-build');
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? args[portAt + 1] : undefined;

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the renderer with Vite unless dist/renderer is newer than its sources. */
function buildRenderer() {
  const config = join(root, 'renderer', 'vite.config.ts');
  if (!existsSync(config)) return;
  const built = join(root, 'dist', 'renderer', 'index.html');
  const sources = Math.max(newest(join(root, 'renderer')), newest(join(root, 'shared')));
  if (existsSync(built) && statSync(built).mtimeMs > sources) return;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '-c', config, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    process.stderr.write('start: the screens (renderer) did not build; see the errors above.\n');
    process.exit(1);
  }
}

/** The Electron main entry the build made (package.json "main", else dist/main.js or dist/main.cjs). */
function electronMain() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const candidate of [pkg.main, 'dist/main.js', 'dist/main.cjs', 'dist/main/index.js'])
    if (typeof candidate === 'string' && existsSync(join(root, candidate))) return candidate;
  return null;
}

/** Electron's binary, fetched if it is missing; or the reason it cannot be had. */
function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(dir, 'package.json'))) return { reason: 'the electron package is not installed' };
  const located = () => {
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  };
  const ready = located();
  if (ready) return { path: ready };
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  const found = located();
  if (r.status === 0 && found) return { path: found };
  const text = `${r.stderr ?? ''}\n${r.stdout ?? ''}`;
  const cause = /(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|HTTPError[^\n]*|fetch failed)/.exec(
    text,
  )?.[1];
  return { reason: `it could not be downloaded${cause ? `: ${cause}` : ''}` };
}

function hasDisplay() {
  return process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
}

function startBrowserMode(buildEnd) {
  const serveArgs = [join(root, 'dist', 'serve.js'), '--open', ...(port ? ['--port', port] : [])];
  const child = spawn(process.execPath, serveArgs, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
  let timed = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!timed && /https?:\/\/\S+token=/.test(String(chunk))) {
      timed = true;
      if (process.env.FLEDGE_START_TIMING === '1')
        process.stderr.write(
          `start: the address was printed ${((performance.now() - buildEnd) / 1000).toFixed(2)} s after the build\n`,
        );
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (!noBuild) {
  await bundle();
  buildRenderer();
}
const buildEnd = performance.now();

if (wantBrowser) startBrowserMode(buildEnd);
else {
  const main = electronMain();
  const electron = main && hasDisplay() ? electronBinary() : null;
  if (main && electron?.path) {
    const child = spawn(electron.path, [main], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
  } else {
    const why = !main
      ? 'the Electron main process is not built yet'
      : !hasDisplay()
        ? 'there is no display to open a window on'
        : `Electron's binary is not available (${electron.reason})`;
    process.stdout.write(
      `Fledge Desktop cannot open its window here: ${why}; starting browser mode instead.\n`,
    );
    startBrowserMode(buildEnd);
  }
}
