// Builds dist/ once before the tests: sandbox processes and the CLI run the bundled JavaScript.
// @ts-expect-error plain ESM build script without types
import { bundle } from '../build/bundle.mjs';

export default async function setup(): Promise<void> {
  await bundle();
}
