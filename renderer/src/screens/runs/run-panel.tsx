import { lazy, Suspense, useRef } from 'react';
import { Badge } from '../../components/badge.js';
import { Button } from '../../components/button.js';
import { ProgressBar, Spinner } from '../../components/progress.js';
import { formatWhen } from '../../lib/format.js';
import {
  answerRequest,
  outputOf,
  plainOutput,
  type RunView,
  rerun,
  stopRun,
} from '../../stores/run-store.js';
import { navigate } from '../../stores/ui-store.js';
import { EndStatus } from './end-status.js';
import { LogPane } from './log-pane.js';
import { OutputToolbar } from './output-toolbar.js';
import { RequestForm } from './request-form.js';
import type { TerminalHandle } from './terminal-view.js';

// xterm.js is most of the app's code: it loads with the first run shown, not with the app.
const TerminalView = lazy(() => import('./terminal-view.js').then((m) => ({ default: m.TerminalView })));

import { TouchedReport } from './touched-report.js';

function saveOutput(run: RunView): void {
  const blob = new Blob([plainOutput(run.summary.id)], { type: 'text/plain;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  const when = new Date(run.summary.startedAt).toISOString().replace(/[:.]/g, '-').slice(0, 19);
  a.download = `${run.summary.plugin}-${run.summary.command}-${when}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** One run: its questions, live output, logs, progress, what it touched, and how it ended. */
export function RunPanel({ run, visible }: { run: RunView; visible: boolean }) {
  const term = useRef<TerminalHandle | null>(null);
  const s = run.summary;
  const live = s.state === 'running' && !s.end;
  const p = run.progress;
  return (
    <div className="run-panel" hidden={!visible} data-run-id={s.id} data-state={live ? 'running' : 'ended'}>
      <header className="run-header">
        <div>
          <h2 className="run-title">
            {s.plugin} <span className="muted">·</span> <code>{s.command}</code>
            {s.args.length ? <code className="muted"> {s.args.join(' ')}</code> : null}
          </h2>
          <p className="muted small">
            {s.projectName ? `On ${s.projectName}` : 'No project'} · started {formatWhen(s.startedAt)}
          </p>
        </div>
        <div className="run-actions">
          {live ? (
            <>
              <Badge tone="info">{run.stopping ? 'Stopping…' : 'Running'}</Badge>
              <Button variant="danger" onClick={() => void stopRun(s.id)} disabled={run.stopping}>
                Stop
              </Button>
            </>
          ) : (
            <>
              <Button
                onClick={async () => {
                  const id = await rerun(s.id);
                  if (id) navigate({ page: 'runs', runId: id });
                }}
              >
                Run again
              </Button>
              <Button onClick={() => saveOutput(run)}>Save output</Button>
            </>
          )}
        </div>
      </header>
      {live && p && !p.done ? (
        <div className="run-progress">
          {p.total ? (
            <ProgressBar label={p.message ?? 'Progress'} value={p.current} max={p.total} />
          ) : (
            <Spinner label={p.message ?? 'Working'} />
          )}
          <span className="small">
            {p.message ?? ''}
            {p.total ? ` (${p.current ?? 0} of ${p.total})` : ''}
          </span>
        </div>
      ) : null}
      {run.requests.map((r) => (
        <RequestForm key={r.id} request={r} onAnswer={(value) => void answerRequest(s.id, r.id, value)} />
      ))}
      <EndStatus run={s} />
      <div className="run-body">
        <div className="run-output">
          <OutputToolbar term={term} runId={s.id} />
          <Suspense fallback={<div className="terminal" data-testid="terminal-loading" />}>
            <TerminalView
              ref={term}
              buffer={outputOf(s.id)}
              label={`Output of ${s.plugin} ${s.command}`}
              visible={visible}
            />
          </Suspense>
        </div>
        <aside className="run-side">
          <LogPane logs={run.logs} dropped={run.logsDropped} />
          <TouchedReport run={run} />
        </aside>
      </div>
    </div>
  );
}
