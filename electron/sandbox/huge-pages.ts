// Transparent huge pages for a run's wasm memory, on Linux: the sandbox's addon (sandbox-addon.ts)
// advises the kernel (madvise MADV_HUGEPAGE) to back the memory's reservation, up to the run's memory
// cap, with 2 MB pages. Most distributions enable transparent huge pages only where so advised
// (/sys/kernel/mm/transparent_hugepage/enabled: "madvise"), and V8 does not advise its wasm memories.
// A plugin that walks a large heap (an interpreter's objects, a hash table, a graph) misses the TLB
// less: memwalk of `npm run bench:wasmtime` (dependent loads through 16 MB) ran 25-35 % faster with
// huge pages. What it costs: memory is committed 2 MB at a time, so a run's resident memory may
// exceed what it touched by up to 2 MB per region, never past the cap's reservation; the cap itself
// counts wasm pages and is unchanged. Elsewhere (another OS, no addon, THP off) it does nothing.
import { sandboxAddon } from './sandbox-addon.js';

/** Advises huge pages for the first `capBytes` of `memory`'s reservation. Returns the bytes advised. */
export function adviseHugePages(memory: WebAssembly.Memory, capBytes: number): number {
  if (process.platform !== 'linux') return 0;
  const advise = sandboxAddon()?.adviseHugePages;
  if (advise === undefined) return 0;
  try {
    return advise(memory.buffer, capBytes);
  } catch {
    return 0;
  }
}
