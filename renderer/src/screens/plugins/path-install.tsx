import { useState } from 'react';
import { Button } from '../../components/button.js';
import { installChecked } from '../../stores/install-store.js';

/**
 * Install from a folder or archive on this computer, by its location: what a folder drop does in
 * the desktop app (a browser cannot see a dropped folder's path).
 */
export function PathInstall({ onDone }: { onDone: () => void }) {
  const [path, setPath] = useState('');
  return (
    <form
      className="card path-install"
      aria-labelledby="path-install-title"
      onSubmit={async (e) => {
        e.preventDefault();
        const p = path.trim();
        if (!p) return;
        const name = p.split(/[\\/]/).filter(Boolean).pop() ?? p;
        const started = await installChecked(name, { kind: 'path', path: p });
        if (started) {
          setPath('');
          onDone();
        }
      }}
    >
      <h2 id="path-install-title" className="card-title">
        Install from this computer
      </h2>
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
        <Button type="submit" variant="primary" disabled={!path.trim()}>
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
