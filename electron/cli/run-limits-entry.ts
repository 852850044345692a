// dist/cli-run-limits.cjs: what the run bundle (run-main.ts) loads to read an installed plugin's
// settings (engine/app/run-policy.ts, with zod's schemas), only when it runs one. Self-contained: it
// shares no module with the run bundle, and only plain values and error messages cross between them.
export { cliRunLimits } from '../engine/app/run-policy.js';
