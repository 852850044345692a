import { useEffect, useState } from 'react';
import { fledge } from '../../api/client.js';
import { type PersonError, toPersonError } from '../../api/errors.js';
import type { PluginDetail, RunSummary } from '../../api/types.js';
import { Button } from '../../components/button.js';
import { Dialog } from '../../components/dialog.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { Notice } from '../../components/notice.js';
import { PageHeader } from '../../components/page-header.js';
import { Spinner } from '../../components/progress.js';
import { formatBytes, formatDay, formatWhen, plural } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import { updatePlugin } from '../../stores/install-store.js';
import { loadPluginDetail, loadPlugins, pluginStore } from '../../stores/plugin-store.js';
import { openRun } from '../../stores/run-store.js';
import { navigate, toast } from '../../stores/ui-store.js';
import { RunStatusText } from '../runs/end-status.js';
import { AccessSection } from './access-section.js';
import { GrantsEditor } from './grants-editor.js';
import { LimitsEditor } from './limits-editor.js';
import { ConsentBadge, RuntimeBadge, TierBadge } from './plugin-badges.js';
import { RunForm } from './run-form.js';

function Section({ title, children, id }: { title: string; children: React.ReactNode; id: string }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id} className="card-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

export function PluginDetailScreen({ name }: { name: string }) {
  const detail = useStore(pluginStore, (s) => s.details[name]);
  const [error, setError] = useState<PersonError | null>(null);
  useEffect(() => {
    setError(null);
    loadPluginDetail(name).catch((e) => setError(toPersonError(e, `${name} could not be shown`)));
  }, [name]);
  if (error)
    return (
      <>
        <PageHeader title={name} />
        <ErrorNotice
          error={error}
          action={
            <Button size="small" onClick={() => navigate({ page: 'plugins' })}>
              Back to plugins
            </Button>
          }
        />
      </>
    );
  if (!detail)
    return (
      <>
        <PageHeader title={name} />
        <Spinner label={`Loading ${name}`} />
      </>
    );
  return <PluginDetailView plugin={detail} />;
}

function PluginDetailView({ plugin: p }: { plugin: PluginDetail }) {
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<PersonError | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  useEffect(() => {
    fledge()
      .runs.history({ plugin: p.name, limit: 5 })
      .then(setRuns)
      .catch(() => setRuns([]));
  }, [p.name]);

  const act = async (label: string, fn: () => Promise<unknown>, done?: string) => {
    setBusy(label);
    setError(null);
    try {
      await fn();
      await Promise.all([loadPluginDetail(p.name).catch(() => undefined), loadPlugins()]);
      if (done) toast({ tone: 'success', title: done });
    } catch (e) {
      setError(toPersonError(e, `${label} did not work`));
    } finally {
      setBusy(null);
    }
  };
  const remove = async () => {
    setConfirmRemove(false);
    setBusy('Remove');
    try {
      await fledge().plugins.remove({ name: p.name });
      await loadPlugins();
      toast({ tone: 'success', title: `${p.name} was removed`, text: 'Its data and approval are gone too.' });
      navigate({ page: 'plugins' });
    } catch (e) {
      setError(toPersonError(e, `${p.name} could not be removed`));
      setBusy(null);
    }
  };
  const review = !p.approvedHere || p.consent.state === 'needs_approval';
  return (
    <>
      <p className="breadcrumb">
        <a href="#/plugins">Plugins</a> <span aria-hidden="true">/</span> {p.name}
      </p>
      <PageHeader
        title={p.name}
        subtitle={
          <span className="header-badges">
            <span>Version {p.version}</span>
            {p.author ? <span>by {p.author}</span> : null}
            <RuntimeBadge runtime={p.runtime} sandboxed={p.sandboxed} access={p.access} />
            <TierBadge tier={p.tier} text={p.tierText} />
            <ConsentBadge plugin={p} />
          </span>
        }
        actions={
          <>
            <Button busy={busy === 'Update'} onClick={() => void updatePlugin(p.name)}>
              Check for update
            </Button>
            <Button
              busy={busy === 'Disable' || busy === 'Enable'}
              onClick={() =>
                void act(
                  p.enabled ? 'Disable' : 'Enable',
                  () => fledge().plugins.setEnabled({ name: p.name, enabled: !p.enabled }),
                  p.enabled ? `${p.name} is disabled` : `${p.name} is enabled`,
                )
              }
            >
              {p.enabled ? 'Disable' : 'Enable'}
            </Button>
            <Button variant="danger" busy={busy === 'Remove'} onClick={() => setConfirmRemove(true)}>
              Remove
            </Button>
          </>
        }
      />
      <p className="lead">{p.description ?? 'This plugin has no description.'}</p>
      {error ? <ErrorNotice error={error} /> : null}
      {review ? (
        <Notice
          tone="warning"
          title={
            p.approvedHere
              ? 'This plugin needs your approval before it runs again'
              : 'Installed by the fledge CLI: review it first'
          }
          action={
            <Button
              variant="primary"
              size="small"
              busy={busy === 'Approve'}
              onClick={() =>
                void act('Approve', () => fledge().plugins.approve({ name: p.name }), `${p.name} is approved`)
              }
            >
              Approve to run
            </Button>
          }
        >
          {p.consent.problems.length ? (
            <ul className="problem-list">
              {p.consent.problems.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          ) : (
            <p>Check what it may do below, then approve it to run it here.</p>
          )}
        </Notice>
      ) : null}
      {!p.enabled ? (
        <Notice title="This plugin is disabled">
          It stays installed with its data, but does not run until you enable it.
        </Notice>
      ) : null}
      <div className="detail-grid">
        <Section title="Run" id="sec-run">
          <RunForm plugin={p} />
        </Section>
        <Section title="What it may do" id="sec-grants">
          <GrantsEditor plugin={p} />
        </Section>
        <Section title="How it runs" id="sec-access">
          <AccessSection plugin={p} />
        </Section>
        <Section title="Limits for this plugin" id="sec-limits">
          <LimitsEditor key={JSON.stringify(p.ownLimits)} plugin={p} />
        </Section>
        <Section title="Recent runs" id="sec-runs">
          {runs === null ? (
            <Spinner label="Loading runs" />
          ) : runs.length === 0 ? (
            <p className="muted">It has not run on this project yet.</p>
          ) : (
            <ul className="mini-list">
              {runs.map((r) => (
                <li key={r.id}>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      void openRun(r.id);
                      navigate({ page: 'runs', runId: r.id });
                    }}
                  >
                    {r.command} · {formatWhen(r.startedAt)}
                  </button>{' '}
                  <RunStatusText run={r} />
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Commands" id="sec-commands">
          <ul className="mini-list">
            {p.commands.map((c) => (
              <li key={c.name}>
                <code>{c.name}</code> <span className="muted">{c.description ?? ''}</span>
              </li>
            ))}
          </ul>
        </Section>
        <Section title="Where it comes from" id="sec-source">
          <dl className="facts">
            <dt>Source</dt>
            <dd className="mono break">{p.source}</dd>
            <dt>Pinned version</dt>
            <dd className="mono break">{p.pinnedRef ?? 'not pinned'}</dd>
            <dt>Trust</dt>
            <dd>{p.tierText}</dd>
            <dt>Installed</dt>
            <dd>{formatDay(p.installedAt)}</dd>
            <dt>Folder</dt>
            <dd className="mono break">{p.pluginDir}</dd>
            {p.wasm.map((w) => (
              <FactPair key={w.binary} label={`SHA-256 of ${w.binary}`} value={w.sha256 ?? 'file missing'} />
            ))}
            {p.hooks.map((h) => (
              <FactPair key={h.name} label={`${h.name} hook`} value={h.command} />
            ))}
          </dl>
        </Section>
        <Section title="Its data" id="sec-data">
          <dl className="facts">
            <dt>Data folder</dt>
            <dd>
              {plural(p.data.files, 'file')}, {formatBytes(p.data.bytes)}
              {p.data.partial ? ' (at least)' : ''}
            </dd>
            <dt>Remembered values</dt>
            <dd>{p.store ? `${plural(p.store.keys, 'key')}, ${formatBytes(p.store.totalBytes)}` : 'none'}</dd>
          </dl>
          {p.store?.entries.length ? (
            <ul className="mini-list">
              {p.store.entries.slice(0, 50).map((e) => (
                <li key={e.key}>
                  <code>{e.key}</code> <span className="muted">{formatBytes(e.bytes)}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </Section>
      </div>
      {confirmRemove ? (
        <Dialog
          title={`Remove ${p.name}?`}
          onClose={() => setConfirmRemove(false)}
          footer={
            <>
              <Button onClick={() => setConfirmRemove(false)} autoFocus>
                Keep it
              </Button>
              <Button variant="danger" onClick={() => void remove()}>
                Remove
              </Button>
            </>
          }
        >
          <p>
            The plugin, its data folder and what it remembered are deleted. You can install it again later.
          </p>
        </Dialog>
      ) : null}
    </>
  );
}

function FactPair({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="mono break">{value}</dd>
    </>
  );
}

export function PluginNotFound({ name }: { name: string }) {
  return (
    <EmptyState
      title={`No plugin named ${name}`}
      action={
        <Button variant="primary" onClick={() => navigate({ page: 'plugins' })}>
          See installed plugins
        </Button>
      }
    >
      It may have been removed.
    </EmptyState>
  );
}
