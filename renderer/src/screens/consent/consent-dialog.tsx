import { useState } from 'react';
import type { CapabilityName, CapabilityRequest, ConsentGrants, ConsentRequest } from '../../api/types.js';
import { Badge } from '../../components/badge.js';
import { Button } from '../../components/button.js';
import { Dialog } from '../../components/dialog.js';
import { RISK_WORDS, shortName } from '../../lib/capability-text.js';
import { useStore } from '../../lib/store.js';
import { answerConsent, consentStore } from '../../stores/install-store.js';
import { RuntimeBadge, TierBadge } from '../plugins/plugin-badges.js';
import { NativeConsentSection } from './native-consent.js';

const RISK_TONE = { low: 'neutral', medium: 'warning', high: 'danger' } as const;

/** The consent queue: one request at a time, in the order they came. */
export function ConsentHost() {
  const queue = useStore(consentStore);
  const first = queue[0];
  return first ? <ConsentDialog key={first.id} request={first} /> : null;
}

function CapabilityChoice({
  req,
  on,
  onChange,
}: {
  req: CapabilityRequest;
  on: boolean;
  onChange: (on: boolean) => void;
}) {
  const id = `consent-${req.capability}`;
  return (
    <li className={`consent-item risk-${req.risk}`}>
      <input
        id={id}
        type="checkbox"
        className="switch"
        checked={on}
        disabled={!req.allowed}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={`${id}-detail ${id}-denied`}
      />
      <div className="consent-item-body">
        <div className="consent-item-title">
          <label htmlFor={id}>{req.title}</label>
          <Badge tone={RISK_TONE[req.risk]}>{RISK_WORDS[req.risk]}</Badge>
        </div>
        <p id={`${id}-detail`} className="small">
          {req.detail}
        </p>
        <p id={`${id}-denied`} className="muted small">
          {req.allowed ? (
            <>
              <strong>If you say no:</strong> {req.ifDenied}
            </>
          ) : (
            <>
              <strong>Cannot be allowed:</strong> {req.refusal ?? 'its source is not trusted for this.'}{' '}
              {req.ifDenied}
            </>
          )}
        </p>
      </div>
    </li>
  );
}

function NameList({ names, fs }: { names: CapabilityName[]; fs?: ConsentGrants['filesystem'] }) {
  return <>{names.map((n) => shortName(n, fs === 'plugin' ? 'plugin' : 'project')).join(', ')}</>;
}

const short = (commit: string | null) => (commit ? commit.slice(0, 7) : null);

/** "Version 1.0.0 → 1.1.0, from release v1.1.0 (commit 9f3c2a1, was 4b1d0e7)". */
function VersionChange({ update }: { update: NonNullable<ConsentRequest['update']> }) {
  const { fromVersion, toVersion, fromCommit, toCommit, toRef } = update;
  if (!fromVersion && !toVersion && !toCommit) return null;
  const sameVersion = fromVersion !== null && fromVersion === toVersion;
  return (
    <li data-testid="consent-version">
      <Badge tone="info">Version</Badge>{' '}
      {sameVersion ? (
        <>still {toVersion}</>
      ) : (
        <>
          {fromVersion ?? '?'} → <strong>{toVersion ?? '?'}</strong>
        </>
      )}
      {toRef ? <>, from {toRef}</> : null}
      {toCommit ? (
        <span className="muted small">
          {' '}
          (commit <code>{short(toCommit)}</code>
          {fromCommit && fromCommit !== toCommit ? (
            <>
              , was <code>{short(fromCommit)}</code>
            </>
          ) : null}
          )
        </span>
      ) : null}
    </li>
  );
}

/**
 * What an install or update asks for, before anything is installed: each capability in plain
 * words with its risk and what saying no means, nothing switched on; the build command exactly as
 * it will run; the source's trust tier and why. An update shows only what changed.
 */
export function ConsentDialog({ request: r }: { request: ConsentRequest }) {
  const update = r.update;
  const asked = update ? r.requests.filter((q) => update.added.includes(q.capability)) : r.requests;
  const kept = update
    ? update.unchanged.filter((n) =>
        n === 'filesystem' ? update.previous.filesystem !== 'none' : update.previous[n],
      )
    : [];
  const [on, setOn] = useState<Partial<Record<CapabilityName, boolean>>>({});
  const [allowBuild, setAllowBuild] = useState(false);
  const [confirmNative, setConfirmNative] = useState(false);
  const needsNativeYes = Boolean(r.native?.extraConfirmation) && !confirmNative;
  const [busy, setBusy] = useState(false);
  const chosen = asked.filter((q) => on[q.capability]).length;
  const finish = async (install: boolean) => {
    setBusy(true);
    if (!install) {
      await answerConsent(r, null);
      return;
    }
    const grants: ConsentGrants = {};
    for (const name of kept) {
      if (name === 'filesystem') grants.filesystem = update?.previous.filesystem ?? 'none';
      else grants[name] = true;
    }
    for (const q of asked) {
      if (!on[q.capability]) continue;
      // the engine limits a grant to what the plugin declares: 'plugin' grants the level it asked for
      if (q.capability === 'filesystem') grants.filesystem = 'plugin';
      else grants[q.capability] = true;
    }
    await answerConsent(r, grants, allowBuild, confirmNative);
  };
  const verb = r.kind === 'update' ? 'Update' : 'Install';
  return (
    <Dialog
      wide
      title={`${verb} ${r.plugin.name} ${r.plugin.version}?`}
      onClose={() => void finish(false)}
      footer={
        <>
          <span className="muted small footer-note">
            {asked.length
              ? `${chosen} of ${asked.length} allowed. You can change this later on the plugin’s page.`
              : 'You can change what it may do later on the plugin’s page.'}
          </span>
          <Button onClick={() => void finish(false)} disabled={busy}>
            Don’t {verb.toLowerCase()}
          </Button>
          <Button
            variant="primary"
            onClick={() => void finish(true)}
            busy={busy}
            disabled={busy || needsNativeYes}
          >
            {verb}
            {asked.length
              ? chosen === asked.length
                ? ' and allow all'
                : chosen
                  ? ` with ${chosen} allowed`
                  : ' and allow nothing'
              : ''}
          </Button>
        </>
      }
    >
      <div className="consent" data-testid="consent">
        <div className="consent-summary">
          <p>{r.plugin.description ?? 'No description.'}</p>
          <div className="header-badges">
            {/* a native plugin's badge is in its section below: contained here, or full access */}
            {r.native ? null : (
              <RuntimeBadge runtime={r.plugin.runtime} sandboxed={r.plugin.runtime === 'wasm'} />
            )}
            <TierBadge tier={r.tier} text={r.tierText} />
            {r.plugin.author ? <span className="muted small">by {r.plugin.author}</span> : null}
          </div>
          <p className="small">
            <strong>From:</strong> <code className="break">{r.source}</code>
          </p>
          <p className="small">
            <strong>Who vouches for it:</strong> {r.tierText}.
            {r.tier === 'unverified' ? ' It cannot be allowed to run commands or use the network.' : ''}
          </p>
        </div>

        {r.native ? (
          <NativeConsentSection native={r.native} confirmed={confirmNative} onConfirm={setConfirmNative} />
        ) : null}

        {update ? (
          <div className="consent-diff" data-testid="consent-diff">
            <h3>What changes</h3>
            <ul className="diff-list">
              <VersionChange update={update} />
              <li>
                <Badge tone="warning">New</Badge>{' '}
                {update.added.length ? (
                  <NameList names={update.added} />
                ) : (
                  <span className="muted">nothing new asked</span>
                )}
              </li>
              {update.removed.length ? (
                <li>
                  <Badge tone="neutral">No longer asked</Badge> <NameList names={update.removed} />
                </li>
              ) : null}
              <li>
                <Badge tone="success">Unchanged</Badge>{' '}
                {update.unchanged.length ? (
                  <NameList names={update.unchanged} />
                ) : (
                  <span className="muted">nothing</span>
                )}
                {kept.length ? (
                  <span className="muted small">
                    {' '}
                    (asked for before too: what you allowed stays allowed, the rest stays off)
                  </span>
                ) : null}
              </li>
            </ul>
          </div>
        ) : null}

        {asked.length ? (
          <>
            <h3>{update ? 'It now also asks to' : 'It asks to'}</h3>
            <p className="muted small">Nothing is allowed unless you switch it on.</p>
            <ul className="consent-list">
              {asked.map((q) => (
                <CapabilityChoice
                  key={q.capability}
                  req={q}
                  on={Boolean(on[q.capability])}
                  onChange={(v) => setOn((o) => ({ ...o, [q.capability]: v }))}
                />
              ))}
            </ul>
          </>
        ) : (
          <p className="consent-nothing">
            {update
              ? 'It asks for nothing new.'
              : 'It asks for nothing: it can only talk to Fledge and show you output.'}
          </p>
        )}

        {r.buildHook ? (
          <div className="consent-build">
            <h3>It needs to be built on your computer</h3>
            <p className="small">
              Before it can run, this command runs <strong>outside the sandbox, with your permissions</strong>
              , in the plugin’s folder:
            </p>
            <pre className="command-box" data-testid="build-hook">
              {r.buildHook}
            </pre>
            <label className="choice">
              <input type="checkbox" checked={allowBuild} onChange={(e) => setAllowBuild(e.target.checked)} />
              Run this build command
            </label>
            <p className="muted small">
              If you say no, nothing is built and the install stops unless a ready-made version exists.
            </p>
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}
