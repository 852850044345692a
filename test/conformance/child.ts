// One conformance test in its own process: reads the job (JSON) from argv, prints the result as
// one JSON line on a dedicated fd-free channel (process.send when forked, else stdout).
import { runWasiTest, type WasiTestOptions } from './run-wasi-test.js';

const job = JSON.parse(process.argv[2] ?? '{}') as { wasm: string; opts: WasiTestOptions };
const result = await runWasiTest(job.wasm, job.opts);
process.stdout.write(`${JSON.stringify(result)}\n`);
