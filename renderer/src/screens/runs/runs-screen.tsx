import { useEffect } from 'react';
import { Button } from '../../components/button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { PageHeader } from '../../components/page-header.js';
import { Tabs } from '../../components/tabs.js';
import { formatDuration, formatWhen } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import { projectStore } from '../../stores/project-store.js';
import {
  clearRunError,
  closeTab,
  loadHistory,
  openRun,
  rerun,
  runStore,
  selectRun,
} from '../../stores/run-store.js';
import { navigate } from '../../stores/ui-store.js';
import { RunStatusText } from './end-status.js';
import { RunPanel } from './run-panel.js';

export function RunsScreen({ runId }: { runId?: string | undefined }) {
  const { runs, tabs, selected, history, historyLoaded, error } = useStore(runStore);
  const project = useStore(projectStore, (s) => s.current);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the history is the current project's
  useEffect(() => {
    void loadHistory();
  }, [project?.path]);
  useEffect(() => {
    if (runId) void openRun(runId);
  }, [runId]);
  const current = selected && runs[selected] ? selected : (tabs[0] ?? null);
  return (
    <>
      <PageHeader title="Runs" subtitle={project ? `On ${project.name}` : 'No project open'} />
      {error ? (
        <ErrorNotice
          error={error}
          action={
            <Button size="small" onClick={clearRunError}>
              Dismiss
            </Button>
          }
        />
      ) : null}
      {tabs.length > 0 ? (
        <div className="run-tabs">
          <Tabs
            label="Open runs"
            panelId="run-tabpanel"
            selected={current}
            onSelect={(id) => {
              selectRun(id);
              navigate({ page: 'runs', runId: id });
            }}
            items={tabs.map((id) => {
              const r = runs[id];
              const live = r ? !r.summary.end : false;
              return {
                id,
                title: r ? `${r.summary.plugin} ${r.summary.command}` : id,
                label: (
                  <span className="tab-label">
                    <span className={`tab-dot ${live ? 'tab-dot-live' : ''}`} aria-hidden="true" />
                    {r ? `${r.summary.plugin} · ${r.summary.command}` : 'Loading…'}
                    {r?.requests.length ? <span className="tab-ask">asks you</span> : null}
                  </span>
                ),
              };
            })}
            trailing={
              current && runs[current]?.summary.end ? (
                <Button size="small" variant="ghost" onClick={() => closeTab(current)}>
                  Close tab
                </Button>
              ) : null
            }
          />
          <div
            id="run-tabpanel"
            role="tabpanel"
            aria-labelledby={current ? `tab-${current}` : undefined}
            className="tabpanel"
          >
            {tabs.map((id) => {
              const r = runs[id];
              return r ? <RunPanel key={id} run={r} visible={id === current} /> : null;
            })}
          </div>
        </div>
      ) : (
        <EmptyState
          title="Nothing is running"
          action={
            <Button variant="primary" onClick={() => navigate({ page: 'plugins' })}>
              Choose a plugin to run
            </Button>
          }
        >
          Pick a plugin and one of its commands to run it on your project.
        </EmptyState>
      )}
      <section className="card history" aria-labelledby="history-title">
        <h2 id="history-title" className="card-title">
          History{project ? ` of ${project.name}` : ''}
        </h2>
        {!historyLoaded ? (
          <p className="muted">Loading…</p>
        ) : history.length === 0 ? (
          <p className="muted">No runs yet. Finished runs are kept here, with their output.</p>
        ) : (
          <table className="history-table" data-testid="history">
            <thead>
              <tr>
                <th scope="col">Plugin</th>
                <th scope="col">Command</th>
                <th scope="col">Started</th>
                <th scope="col">Took</th>
                <th scope="col">How it ended</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.map((r) => (
                <tr key={r.id}>
                  <td>{r.plugin}</td>
                  <td>
                    <code>
                      {r.command}
                      {r.args.length ? ` ${r.args.join(' ')}` : ''}
                    </code>
                  </td>
                  <td>{formatWhen(r.startedAt)}</td>
                  <td>{r.end ? formatDuration(r.end.durationMs) : '—'}</td>
                  <td>
                    <RunStatusText run={r} />
                  </td>
                  <td className="row-actions">
                    <Button
                      size="small"
                      onClick={() => {
                        void openRun(r.id);
                        navigate({ page: 'runs', runId: r.id });
                      }}
                      aria-label={`Show output of ${r.plugin} ${r.command}, ${formatWhen(r.startedAt)}`}
                    >
                      Show
                    </Button>
                    <Button
                      size="small"
                      onClick={async () => {
                        const id = await rerun(r.id);
                        if (id) navigate({ page: 'runs', runId: id });
                      }}
                      aria-label={`Run again: ${r.plugin} ${r.command}`}
                    >
                      Run again
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
