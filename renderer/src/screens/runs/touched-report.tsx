import type { CapabilityName } from '../../api/types.js';
import { CAPABILITY_ORDER, shortName } from '../../lib/capability-text.js';
import { formatCount, formatDuration, plural } from '../../lib/format.js';
import { FILES_CAP, type RunView } from '../../stores/run-store.js';

function capabilityWords(name: string): string {
  return (CAPABILITY_ORDER as string[]).includes(name) ? shortName(name as CapabilityName) : name;
}

/** What the run did, from the sandbox's own records: files, commands, denied requests. */
export function TouchedReport({ run }: { run: RunView }) {
  const { files, filesTotal, denials } = run;
  // A refused command is listed once: as a denial when the sandbox reports denials, else as an exec.
  const execs = run.summary.grants.exec || !denials.some((d) => d.capability === 'exec') ? run.execs : [];
  const writes = files.filter((f) => f.writes > 0).length;
  const nothing = files.length === 0 && execs.length === 0 && denials.length === 0;
  return (
    <section className="touched" aria-labelledby={`touched-${run.summary.id}`} data-testid="touched-report">
      <h3 id={`touched-${run.summary.id}`}>What it touched</h3>
      {nothing ? (
        <p className="muted small">
          {run.summary.end
            ? 'Nothing: it opened no file, ran no command and was denied nothing.'
            : 'Nothing so far.'}
        </p>
      ) : null}
      {files.length ? (
        <details open={files.length <= 12}>
          <summary>
            {plural(files.length, 'file')} opened{writes ? `, ${formatCount(writes)} changed` : ''}
            {filesTotal > files.length ? ` (${formatCount(filesTotal)} opens)` : ''}
          </summary>
          <ul className="touched-list">
            {files.map((f) => (
              <li key={`${f.mount}:${f.path}`}>
                <span className={`access ${f.writes ? 'access-write' : 'access-read'}`}>
                  {f.writes ? 'wrote' : 'read'}
                </span>
                <code className="break">{f.path.startsWith(f.mount) ? f.path : `${f.mount}/${f.path}`}</code>
              </li>
            ))}
          </ul>
          {files.length >= FILES_CAP ? (
            <p className="muted small">Only the first {FILES_CAP} files are listed.</p>
          ) : null}
        </details>
      ) : null}
      {execs.length ? (
        <details open>
          <summary>
            {run.summary.grants.exec
              ? `${plural(execs.length, 'command')} run`
              : `${plural(execs.length, 'command')} it wanted to run (not allowed)`}
          </summary>
          <ul className="touched-list">
            {execs.map((x) => (
              <li key={x.seq}>
                {!run.summary.grants.exec ? <span className="access access-denied">denied</span> : null}
                <code className="break">{x.command}</code>
                <span className="muted small">
                  {x.cwd ? ` in ${x.cwd}` : ''} · exit code {x.code} · {formatDuration(x.durationMs)}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {denials.length ? (
        <details open>
          <summary>{plural(denials.length, 'request')} denied</summary>
          <ul className="touched-list">
            {denials.map((d) => (
              <li key={d.seq}>
                <span className="access access-denied">denied</span> {d.what}{' '}
                <span className="muted small">(needs “{capabilityWords(d.capability)}”)</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
