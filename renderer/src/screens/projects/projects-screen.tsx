import { useState } from 'react';
import type { Project } from '../../api/types.js';
import { Badge } from '../../components/badge.js';
import { Button } from '../../components/button.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { PageHeader } from '../../components/page-header.js';
import { formatWhen } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import {
  closeProject,
  forgetProject,
  openProject,
  pickAndOpenProject,
  projectStore,
} from '../../stores/project-store.js';
import { navigate } from '../../stores/ui-store.js';

function ProjectFacts({ p }: { p: Project }) {
  return (
    <span className="project-facts">
      {p.language && p.language !== 'unknown' ? <Badge>{p.language}</Badge> : null}
      {p.git ? (
        <>
          <Badge tone="info">branch {p.git.branch}</Badge>
          {p.git.dirty ? (
            <Badge tone="warning">uncommitted changes</Badge>
          ) : (
            <Badge tone="success">no uncommitted changes</Badge>
          )}
        </>
      ) : (
        <Badge>not a git repository</Badge>
      )}
      {!p.exists ? <Badge tone="danger">folder not found</Badge> : null}
    </span>
  );
}

/**
 * Choose the folder plugins work on: the system's folder dialog where there is one (the desktop app),
 * else type its location; or drop a folder, or reopen a recent one.
 */
export function ProjectsScreen() {
  const { current, recent, error, opening, folderDialog } = useStore(projectStore);
  const [path, setPath] = useState('');
  const open = async (p: string) => {
    if (await openProject(p)) {
      setPath('');
      navigate({ page: 'plugins' });
    }
  };
  const others = recent.filter((r) => r.path !== current?.path);
  return (
    <>
      <PageHeader title="Project" subtitle="The folder plugins work on. It stays shown at the top left." />
      {current ? (
        <section className="card current-project" aria-labelledby="current-title">
          <h2 id="current-title" className="card-title">
            Open now
          </h2>
          <div className="project-line">
            <div>
              <strong className="project-name">{current.name}</strong>
              <p className="mono small muted break">{current.path}</p>
              <ProjectFacts p={current} />
            </div>
            <Button variant="ghost" onClick={() => void closeProject()}>
              Close project
            </Button>
          </div>
        </section>
      ) : null}
      <section className="card" aria-labelledby="open-title">
        <h2 id="open-title" className="card-title">
          Open a folder
        </h2>
        {error ? <ErrorNotice error={error} /> : null}
        {folderDialog ? (
          <div className="open-dialog-row">
            <Button
              variant="primary"
              busy={opening}
              disabled={opening}
              onClick={() =>
                void pickAndOpenProject().then((opened) => {
                  if (opened) navigate({ page: 'plugins' });
                })
              }
            >
              Open folder…
            </Button>
            <span className="muted small">
              Choose the folder in your system’s file dialog, or type its location below.
            </span>
          </div>
        ) : null}
        <form
          className="open-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void open(path.trim());
          }}
        >
          <label htmlFor="project-path" className="field-label">
            Folder path
          </label>
          <div className="inline-fields">
            <input
              id="project-path"
              className="input mono field-grow"
              value={path}
              placeholder="/home/you/projects/my-app"
              onChange={(e) => setPath(e.target.value)}
              aria-describedby="project-path-hint"
            />
            <Button
              type="submit"
              variant={folderDialog ? 'secondary' : 'primary'}
              busy={opening}
              disabled={!path.trim() || opening}
            >
              Open
            </Button>
          </div>
          <p id="project-path-hint" className="field-hint muted">
            Copy the folder’s location from your file manager and paste it here, or drop the folder on this
            window (desktop app).
          </p>
        </form>
      </section>
      <section className="card" aria-labelledby="recent-title">
        <h2 id="recent-title" className="card-title">
          Recent projects
        </h2>
        {others.length === 0 ? (
          <p className="muted">Projects you open appear here, so you can come back to them in one click.</p>
        ) : (
          <ul className="recent-list">
            {others.map((p) => (
              <li key={p.path} className="recent-item">
                <button
                  type="button"
                  className="recent-open"
                  onClick={() => void open(p.path)}
                  disabled={!p.exists}
                >
                  <strong>{p.name}</strong>
                  <span className="mono small muted break">{p.path}</span>
                  <ProjectFacts p={p} />
                  <span className="muted small">opened {formatWhen(p.lastOpenedAt)}</span>
                </button>
                <Button
                  size="small"
                  variant="ghost"
                  onClick={() => void forgetProject(p.path)}
                  aria-label={`Remove from list: ${p.name}`}
                >
                  Remove from list
                </Button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
