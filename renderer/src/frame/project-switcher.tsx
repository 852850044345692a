import { useStore } from '../lib/store.js';
import { projectStore } from '../stores/project-store.js';
import { routeStore } from '../stores/ui-store.js';

/** The current project, always visible; opens the project picker. Its name is what it shows. */
export function ProjectSwitcher() {
  const { current, loaded } = useStore(projectStore);
  const here = useStore(routeStore, (r) => r.page === 'projects');
  return (
    <a href="#/projects" className="project-switcher" aria-current={here ? 'page' : undefined}>
      <span className="project-switcher-caption">Project</span>{' '}
      {current ? (
        <>
          <span className="project-switcher-name">{current.name}</span>{' '}
          <span className="project-switcher-meta">
            {current.git ? (
              <>
                <span className="branch">{current.git.branch}</span>
                {current.git.dirty ? (
                  <span className="dirty-dot" title="Uncommitted changes">
                    <span className="visually-hidden">, uncommitted changes</span>
                  </span>
                ) : null}
              </>
            ) : (
              <span>not a git repository</span>
            )}
            <span className="visually-hidden">, change project</span>
          </span>
        </>
      ) : (
        <span className="project-switcher-name project-switcher-empty">
          {loaded ? 'Open a project…' : 'Loading…'}
        </span>
      )}
    </a>
  );
}
