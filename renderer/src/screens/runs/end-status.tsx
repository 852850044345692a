import type { RunEnd, RunSummary } from '../../api/types.js';
import { Badge, type Tone } from '../../components/badge.js';
import { formatBytes, formatCount, formatDuration } from '../../lib/format.js';

/** How a run ended, in a few plain words, and how serious it is. */
export function endWords(end: RunEnd, timeoutMs: number): { words: string; tone: Tone } {
  // A plugin that ignores `cancel` is killed after the grace period: the engine ends it as an error
  // with code 130 (interrupted), which is still the person's Stop.
  if (end.reason === 'error' && end.code === 130) return { words: 'Stopped by you', tone: 'neutral' };
  switch (end.reason) {
    case 'exit':
      return end.code === 0
        ? { words: 'Finished', tone: 'success' }
        : { words: `Ended with an error (exit code ${end.code})`, tone: 'danger' };
    case 'fuel':
      return { words: 'Stopped: used its whole compute budget', tone: 'warning' };
    case 'timeout':
      return { words: `Stopped after ${formatDuration(timeoutMs)}`, tone: 'warning' };
    case 'memory':
      return { words: 'Ran out of memory', tone: 'danger' };
    case 'stack':
      return { words: 'Crashed: it went too deep (stack overflow)', tone: 'danger' };
    case 'trap':
      return { words: 'Crashed: the plugin hit an error inside itself', tone: 'danger' };
    case 'crash':
      return { words: 'Crashed', tone: 'danger' };
    case 'error':
      return { words: 'Could not run', tone: 'danger' };
    case 'cancelled':
      return { words: 'Stopped by you', tone: 'neutral' };
  }
}

export function RunStatusText({ run }: { run: RunSummary }) {
  if (!run.end) return <Badge tone="info">Running</Badge>;
  const { words, tone } = endWords(run.end, run.limits.timeoutMs);
  return <Badge tone={tone}>{words}</Badge>;
}

/** The status line at the end of a run: what happened, how long, how much work and memory. */
export function EndStatus({ run }: { run: RunSummary }) {
  const end = run.end;
  if (!end) return null;
  const { words, tone } = endWords(end, run.limits.timeoutMs);
  return (
    <div className={`end-status end-status-${tone}`} role="status" data-testid="end-status">
      <strong className="end-status-words">{words}</strong>
      <span className="end-status-message">{end.message}</span>
      <span className="end-status-facts muted">
        <span>took {formatDuration(end.durationMs)}</span>
        {end.fuelUsed > 0 || end.reason === 'exit' ? (
          <span>{formatCount(end.fuelUsed)} compute steps</span>
        ) : null}
        {end.peakMemoryBytes ? <span>peak memory {formatBytes(end.peakMemoryBytes)}</span> : null}
      </span>
    </div>
  );
}
