import { type RefObject, useState } from 'react';
import { Button } from '../../components/button.js';
import type { TerminalHandle } from './terminal-view.js';

/** Search, select all and copy for a run's output. Enter finds the next match, Shift+Enter the previous. */
export function OutputToolbar({ term, runId }: { term: RefObject<TerminalHandle | null>; runId: string }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<boolean | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const find = (dir: 'next' | 'previous') => setFound(term.current?.find(q, dir) ?? false);
  return (
    <div className="output-toolbar" role="toolbar" aria-label="Output">
      <input
        type="search"
        className="input input-small"
        aria-label="Find in output"
        placeholder="Find in output"
        value={q}
        data-testid={`find-${runId}`}
        onChange={(e) => {
          setQ(e.target.value);
          setFound(null);
          if (!e.target.value) term.current?.clearSearch();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(e.shiftKey ? 'previous' : 'next');
          }
        }}
      />
      <Button size="small" onClick={() => find('previous')} disabled={!q} aria-label="Previous match">
        ↑
      </Button>
      <Button size="small" onClick={() => find('next')} disabled={!q} aria-label="Next match">
        ↓
      </Button>
      <span className="muted small" aria-live="polite">
        {found === false ? 'Not found' : ''}
        {copied ?? ''}
      </span>
      <span className="toolbar-spacer" />
      <Button size="small" onClick={() => term.current?.selectAll()}>
        Select all
      </Button>
      <Button
        size="small"
        onClick={async () => {
          const ok = (await term.current?.copySelection()) ?? false;
          setCopied(ok ? 'Copied' : 'Select some output first');
          setTimeout(() => setCopied(null), 2000);
        }}
      >
        Copy
      </Button>
    </div>
  );
}
