import { useState } from 'react';
import { formatCount } from '../../lib/format.js';
import type { LogLine } from '../../stores/run-store.js';

const LEVELS = ['error', 'warn', 'info', 'debug', 'stderr'] as const;
type Level = (typeof LEVELS)[number];
const LEVEL_WORDS: Record<Level, string> = {
  error: 'Errors',
  warn: 'Warnings',
  info: 'Info',
  debug: 'Debug',
  stderr: 'Error output',
};
/** The last lines shown (the pane is for reading, the terminal for floods). */
const SHOWN = 1000;

/** The plugin's log messages with their levels, filterable by level. */
export function LogPane({ logs, dropped }: { logs: LogLine[]; dropped: number }) {
  const [hidden, setHidden] = useState<Set<Level>>(() => new Set(['debug']));
  const counts = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const l of logs) counts[l.level]++;
  const shown = logs.filter((l) => !hidden.has(l.level));
  const tail = shown.slice(-SHOWN);
  return (
    <section className="log-pane" aria-label="Log messages">
      <fieldset className="log-filter">
        <legend className="visually-hidden">Show log levels</legend>
        {LEVELS.map((level) => (
          <label key={level} className={`log-filter-item level-${level}`}>
            <input
              type="checkbox"
              checked={!hidden.has(level)}
              onChange={(e) =>
                setHidden((h) => {
                  const next = new Set(h);
                  if (e.target.checked) next.delete(level);
                  else next.add(level);
                  return next;
                })
              }
            />
            {LEVEL_WORDS[level]} <span className="muted">{formatCount(counts[level])}</span>
          </label>
        ))}
      </fieldset>
      {logs.length === 0 ? (
        <p className="muted small log-empty">No log messages yet.</p>
      ) : (
        <ol className="log-lines" aria-live="off" data-testid="log-lines">
          {dropped + shown.length - tail.length > 0 ? (
            <li className="muted small">
              {formatCount(dropped + shown.length - tail.length)} earlier messages not shown.
            </li>
          ) : null}
          {tail.map((l) => (
            <li key={l.seq} className={`log-line level-${l.level}`}>
              <span className="log-level">{l.level === 'stderr' ? 'stderr' : l.level}</span>
              <span className="log-text">{l.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
