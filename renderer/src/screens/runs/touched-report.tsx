import type { CapabilityName } from '../../api/types.js';
import { CAPABILITY_ORDER, shortName } from '../../lib/capability-text.js';
import { formatCount, formatDuration, plural } from '../../lib/format.js';
import { FILES_CAP, type RunView } from '../../stores/run-store.js';

function capabilityWords(name: string): string {
  return (CAPABILITY_ORDER as string[]).includes(name) ? shortName(name as CapabilityName) : name;
}

/** What the run did, from the sandbox's and the host's own records: files, commands, store and metadata keys, denials. */
export function TouchedReport({ run }: { run: RunView }) {
  const { files, filesTotal, denials, storeKeys, storeWritesTotal, metadataKeys } = run;
  // A refused command is listed once: as a denial when the sandbox reports denials, else as an exec.
  const execs = run.summary.grants.exec || !denials.some((d) => d.capability === 'exec') ? run.execs : [];
  const writes = files.filter((f) => f.writes > 0).length;
  const nothing =
    files.length === 0 &&
    execs.length === 0 &&
    denials.length === 0 &&
    storeKeys.length === 0 &&
    metadataKeys.length === 0;
  return (
    <section className="touched" aria-labelledby={`touched-${run.summary.id}`} data-testid="touched-report">
      <h3 id={`touched-${run.summary.id}`}>What it touched</h3>
      {nothing ? (
        <p className="muted small">
          {run.summary.end
            ? 'Nothing: it opened no file, ran no command, remembered nothing and was denied nothing.'
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
      {storeKeys.length ? (
        <details open={storeKeys.length <= 12} data-testid="touched-store">
          <summary>
            {plural(storeKeys.length, 'store key')} written
            {storeWritesTotal > storeKeys.length ? ` (${plural(storeWritesTotal, 'write')})` : ''}
          </summary>
          <ul className="touched-list">
            {storeKeys.map((k) => (
              <li key={k.key}>
                <span className="access access-write">wrote</span>
                <code className="break">{k.key}</code>
                {k.writes > 1 ? <span className="muted small"> · {formatCount(k.writes)} times</span> : null}
              </li>
            ))}
          </ul>
          {storeKeys.length >= FILES_CAP ? (
            <p className="muted small">Only the first {FILES_CAP} keys are listed.</p>
          ) : null}
        </details>
      ) : null}
      {metadataKeys.length ? (
        <details open data-testid="touched-metadata">
          <summary>Project details read: {plural(metadataKeys.length, 'key')}</summary>
          <ul className="touched-list">
            {metadataKeys.map((k) => (
              <li key={k}>
                <span className="access access-read">read</span>
                <code className="break">{k}</code>
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
