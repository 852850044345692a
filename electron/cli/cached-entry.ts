// dist/cli.cjs: starts a CLI bundle from V8's code cache of it (sandbox/code-cache.ts), so that a
// command does not parse and compile its JavaScript again: dist/cli-run.cjs (electron/cli/run-main.ts,
// the run path alone) for `run`, else dist/cli-main.cjs (electron/cli/main.ts, every command).
// CommonJS, as its bundles: an ES module entry would load Node's ES module loader first (~4 ms of CPU
// at every start, measured by test/bench/trivial-run.ts).
import { join } from 'node:path';
import { startFromCodeCache } from '../sandbox/code-cache.js';

const bundle = process.argv[2] === 'run' ? 'cli-run.cjs' : 'cli-main.cjs';
startFromCodeCache(join(__dirname, bundle), process.env.FLEDGE_CLI_CODE_CACHE);
