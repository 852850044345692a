// Builds dist/ once before the tests: sandbox processes and the CLI run the bundled JavaScript, and
// browser mode (`npm start --no-build` in test/serve) serves the screens from dist/renderer.
import { join } from 'node:path';
import { build } from 'vite';
// @ts-expect-error plain ESM build script without types
import { bundle } from '../build/bundle.mjs';

export default async function setup(): Promise<void> {
  await Promise.all([
    bundle(),
    build({ configFile: join(import.meta.dirname, '..', 'renderer', 'vite.config.ts'), logLevel: 'warn' }),
  ]);
}
