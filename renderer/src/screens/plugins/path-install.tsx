import { useState } from 'react';
import { fledge } from '../../api/client.js';
import { type PersonError, toPersonError } from '../../api/errors.js';
import { Button } from '../../components/button.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { useStore } from '../../lib/store.js';
import { installChecked } from '../../stores/install-store.js';
import { projectStore } from '../../stores/project-store.js';

/**
 * Install from a folder or archive on this computer, by its location: what a folder drop does in
 * the desktop app (a browser cannot see a dropped folder's path).
 */
export function PathInstall({ onDone }: { onDone: () => void }) {
  const [path, setPath] = useState('');
  const [dialogError, setDialogError] = useState<PersonError | null>(null);
  // Where the system's folder dialog exists (Electron), it is offered beside the location field.
  const { folderDialog } = useStore(projectStore);
  const install = async (location: string) => {
    const p = location.trim();
    if (!p) return;
    const name = p.split(/[\\/]/).filter(Boolean).pop() ?? p;
    const started = await installChecked(name, { kind: 'path', path: p });
    if (started) {
      setPath('');
      onDone();
    }
  };
  const choose = async () => {
    setDialogError(null);
    try {
      const answer = await fledge().dialogs.pickFolder({ purpose: 'plugin' });
      if (answer.available && answer.path) await install(answer.path);
    } catch (e) {
      setDialogError(toPersonError(e, 'The folder dialog could not be opened'));
    }
  };
  return (
    <form
      className="card path-install"
      aria-labelledby="path-install-title"
      onSubmit={(e) => {
        e.preventDefault();
        void install(path);
      }}
    >
      <h2 id="path-install-title" className="card-title">
        Install from this computer
      </h2>
      {dialogError ? <ErrorNotice error={dialogError} /> : null}
      {folderDialog ? (
        <div className="open-dialog-row">
          <Button variant="primary" onClick={() => void choose()}>
            Choose a plugin folder…
          </Button>
          <span className="muted small">Or type the location of a folder or archive below.</span>
        </div>
      ) : null}
      <label htmlFor="plugin-path" className="field-label">
        Location of a plugin folder or archive (.zip, .tar.gz)
      </label>
      <div className="inline-fields">
        <input
          id="plugin-path"
          className="input mono field-grow"
          value={path}
          placeholder="/home/you/Downloads/my-plugin.zip"
          onChange={(e) => setPath(e.target.value)}
        />
        <Button type="submit" variant={folderDialog ? 'secondary' : 'primary'} disabled={!path.trim()}>
          Check and install
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
      <p className="field-hint muted">
        Fledge checks it and asks you what it may do before anything is installed.
      </p>
    </form>
  );
}
