// The three run limits as a person edits them: memory in MB, compute budget in millions of fuel
// units, time limit in seconds; stored as the engine's units (MB, fuel, milliseconds).
import type { Limits } from '../../api/types.js';

export type LimitKey = keyof Limits;

export const LIMIT_FIELDS: { key: LimitKey; label: string; unit: string; explain: string }[] = [
  {
    key: 'memoryMb',
    label: 'Memory',
    unit: 'MB',
    explain: 'The most memory a plugin may use. A plugin that needs more stops with “ran out of memory”.',
  },
  {
    key: 'fuel',
    label: 'Compute budget',
    unit: 'million steps',
    explain:
      'How much work a plugin may do in one run, counted in small steps (about one per instruction). A plugin stuck in a loop stops when it has used them all.',
  },
  {
    key: 'timeoutMs',
    label: 'Time limit',
    unit: 'seconds',
    explain:
      'How long a run may take, including time waiting for your answers. After it, the run is stopped.',
  },
];

export function showLimit(key: LimitKey, value: number): string {
  if (key === 'timeoutMs') return String(Math.round((value / 1000) * 10) / 10);
  if (key === 'fuel') return String(Math.round(value / 1e6));
  return String(value);
}

/** The engine's value for what a person typed, or null when it is not a positive number. */
export function parseLimit(key: LimitKey, text: string): number | null {
  const n = Number(text.replace(/[,_\s]/g, ''));
  if (!Number.isFinite(n) || n <= 0) return null;
  if (key === 'timeoutMs') return Math.round(n * 1000);
  if (key === 'fuel') return Math.round(n * 1e6);
  return Math.round(n);
}
