import { useEffect, useRef, useState } from 'react';
import { fledge } from '../api/client.js';
import { installChecked, installDroppedFile } from '../stores/install-store.js';
import { openProject } from '../stores/project-store.js';
import { navigate, toast } from '../stores/ui-store.js';

/** Electron's preload may offer the real path of a dropped file (webUtils.getPathForFile). */
function pathOf(file: File): string | null {
  const f = (window as { fledgeFiles?: { pathForFile(file: File): string | null } }).fledgeFiles;
  try {
    return f?.pathForFile(file) || null;
  } catch {
    return null;
  }
}

/**
 * The desktop app knows a dropped item's path: a plugin (folder or archive) is checked and
 * installed; a folder that is not a plugin opens as the project.
 */
async function dropPath(path: string, name: string): Promise<void> {
  try {
    const report = await fledge().plugins.validate({ source: { kind: 'path', path } });
    if (!report.valid && report.pluginName === null && !/\.(zip|tgz|tar\.gz)$/i.test(name)) {
      if (await openProject(path))
        toast({ tone: 'success', title: `Opened ${name}`, text: 'Plugins now run on this project.' });
      return;
    }
  } catch {
    // installChecked below reports the problem in words
  }
  await installChecked(name, { kind: 'path', path });
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/**
 * The whole window takes drops: while a file is dragged over it a clear target shows what will
 * happen. An archive is installed (after checking and consent); a folder opens as the project
 * where the app can read its path (Electron), and is explained otherwise.
 */
export function DropTarget() {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setOver(false);
      const items = Array.from(e.dataTransfer?.items ?? []);
      const files = Array.from(e.dataTransfer?.files ?? []);
      const file = files[0];
      if (!file) return;
      if (files.length > 1)
        toast({
          tone: 'info',
          title: 'One plugin at a time',
          text: `Installing ${file.name}; drop the others one by one.`,
        });
      const entry = items[0]?.webkitGetAsEntry?.();
      const path = pathOf(file);
      navigate({ page: 'plugins' });
      if (path) void dropPath(path, file.name);
      else if (entry?.isDirectory) {
        toast({
          tone: 'info',
          title: 'Folders cannot be dropped in the browser',
          text: 'Use “Install from this computer” with the folder’s location, or drop a plugin archive (.zip).',
        });
      } else void installDroppedFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overFn);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  if (!over) return null;
  return (
    <div className="drop-target" data-testid="drop-target" aria-live="polite">
      <div className="drop-target-box">
        <div className="drop-target-icon" aria-hidden="true" />
        <h2>Drop to install this plugin</h2>
        <p>Fledge checks it first and asks what it may do before anything is installed.</p>
      </div>
    </div>
  );
}
