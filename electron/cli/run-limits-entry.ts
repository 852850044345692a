// dist/cli-run-limits.cjs: what the run bundle (run-main.ts) loads to read an installed plugin's
// settings (engine/app/run-policy.ts, with zod's schemas), only when it runs one. Self-contained: it
// has its own copy of every module it uses, so only plain values and error messages cross between
// the two (no class is checked across them).
export { cliRunLimits } from '../engine/app/run-policy.js';
