// How a run's end is put to a person: plain words naming the plugin, in the fledge CLI's wording
// where the CLI has one (docs/fledge-reference.md, "Limits and how they end a run").
import type { EndReason, SandboxMode } from '../../sandbox/protocol.js';

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(s < 1 ? 3 : 1).replace(/0+$/, '');
}

export function endMessage(
  plugin: string,
  reason: EndReason | 'cancelled',
  code: number,
  detail: string,
  limits: { timeoutMs: number; memoryMb: number },
  mode: SandboxMode = 'plugin',
): string {
  const noun = mode === 'plugin' ? 'plugin' : 'program';
  const p = `${mode === 'plugin' ? 'Plugin' : 'Program'} '${plugin}'`;
  switch (reason) {
    case 'exit':
      return code === 0 ? `${p} finished.` : `${p} exited with code ${code}.`;
    case 'fuel':
      return `${p} exceeded its compute budget.`;
    case 'timeout':
      return `${p} exceeded time limit (${formatSeconds(limits.timeoutMs)} seconds)`;
    case 'memory':
      // The launcher's process-memory watch and the JS-heap limit say what happened in `detail`.
      return detail.startsWith('the sandbox')
        ? `${p} ran out of memory (limit ${limits.memoryMb} MiB): ${detail}.`
        : `${p} ran out of memory (limit ${limits.memoryMb} MiB): it trapped after memory could not grow.`;
    case 'stack':
      return `${p} overflowed its stack (too deep or infinite recursion).`;
    case 'trap':
      return `${p} trapped: ${detail}`;
    case 'crash':
      return `The sandbox running ${noun} '${plugin}' crashed: ${detail}`;
    case 'cancelled':
      return `${p} was cancelled.`;
    case 'error':
      return `${p} could not be run: ${detail}`;
  }
}
