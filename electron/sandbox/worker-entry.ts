// dist/sandbox-worker.cjs: starts the sandbox worker's bundle (dist/sandbox-worker-main.cjs,
// worker.ts) from V8's code cache of it (code-cache.ts): a worker is started for every run, and
// compiling its bundle was ~6 ms of a trivial run's CPU (test/bench/trivial-run.ts). The thread's
// environment (given by whoever starts it) says when the build is making the cache.
import { join } from 'node:path';
import { startFromCodeCache } from './code-cache.js';

startFromCodeCache(join(__dirname, 'sandbox-worker-main.cjs'), process.env.FLEDGE_CODE_CACHE);
