// dist/cli.cjs: starts the CLI bundle (dist/cli-main.cjs, electron/cli/main.ts) from V8's code cache
// of it (sandbox/code-cache.ts), so a run does not parse and compile 1.4 MB of JavaScript again.
// CommonJS, as its bundle: an ES module entry would load Node's ES module loader first (~4 ms of CPU
// at every start, measured by test/bench/trivial-run.ts).
import { join } from 'node:path';
import { startFromCodeCache } from '../sandbox/code-cache.js';

startFromCodeCache(join(__dirname, 'cli-main.cjs'), process.env.FLEDGE_CLI_CODE_CACHE);
