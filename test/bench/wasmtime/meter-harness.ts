// The metering-alone harness (meter-alone.ts) bundled into one file that any Node runs as is: bench.ts
// and count.ts run it under this Node and the pinned one.
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** Bundles meter-alone.ts into `dir`; returns the bundle's path. */
export async function bundleMeterHarness(dir: string): Promise<string> {
  const harness = join(dir, 'meter-alone.mjs');
  await build({
    absWorkingDir: resolve(import.meta.dirname, '..', '..', '..'),
    entryPoints: [join(import.meta.dirname, 'meter-alone.ts')],
    outfile: harness,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return harness;
}
