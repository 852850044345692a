import { Button } from '../components/button.js';
import { Notice } from '../components/notice.js';
import { ProgressBar, Spinner } from '../components/progress.js';
import { formatBytes } from '../lib/format.js';
import { useStore } from '../lib/store.js';
import { cancelInstall, clearInstallProblem, installStore } from '../stores/install-store.js';

const PHASE: Record<string, string> = {
  resolving: 'Finding it',
  downloading: 'Downloading',
  extracting: 'Unpacking',
  building: 'Building',
  preparing: 'Preparing it to run',
  consent: 'Waiting for your answer',
  done: 'Finishing',
};

/** Installs in progress and the last install problem, shown above every screen. */
export function InstallActivity() {
  const { checking, active, problem } = useStore(installStore);
  const list = Object.values(active);
  if (!checking && list.length === 0 && !problem) return null;
  return (
    <div className="install-activity">
      {checking ? (
        <div className="install-row" role="status">
          <Spinner label="Checking" />
          <span>Checking {checking}…</span>
        </div>
      ) : null}
      {list.map((a) => {
        const p = a.progress;
        const detail =
          p?.bytes !== undefined
            ? ` ${formatBytes(p.bytes)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`
            : '';
        return (
          <div className="install-row" key={a.operationId} role="status">
            <div className="install-row-text">
              <strong>{a.label}</strong>
              <span className="muted">
                {a.waitingForConsent
                  ? 'Waiting for your answer'
                  : p
                    ? `${PHASE[p.phase] ?? p.phase}: ${p.message}${detail}`
                    : 'Starting…'}
              </span>
            </div>
            <ProgressBar label={`Installing ${a.label}`} value={p?.bytes} max={p?.total} />
            <Button size="small" variant="ghost" onClick={() => void cancelInstall(a.operationId)}>
              Cancel
            </Button>
          </div>
        );
      })}
      {problem ? (
        <Notice
          tone="danger"
          title={problem.error.title}
          action={
            <Button size="small" onClick={clearInstallProblem}>
              Dismiss
            </Button>
          }
        >
          <p>{problem.error.message}</p>
          {problem.problems.length ? (
            <ul className="problem-list">
              {problem.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
          {problem.error.next ? <p className="muted">{problem.error.next}</p> : null}
        </Notice>
      ) : null}
    </div>
  );
}
