import { useState } from 'react';
import { fledge } from '../../api/client.js';
import { type PersonError, toPersonError } from '../../api/errors.js';
import type { PluginDetail } from '../../api/types.js';
import { Button } from '../../components/button.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { loadPluginDetail, loadPlugins } from '../../stores/plugin-store.js';
import { toast } from '../../stores/ui-store.js';
import { RuntimeBadge } from './plugin-badges.js';

/** What full access means, in the words the person agrees to. */
export const FULL_ACCESS_CONSENT =
  'It can do anything you can do: read, change and delete any of your files, use the network, and run other programs as you. Fledge cannot see or stop what it does.';

/**
 * "How it runs": the engine's own account (sandboxed, contained, full access) and, for a native
 * plugin, the person's choice to let it run uncontained: asked with nothing pre-chosen and a
 * confirmation; taken back with one click.
 */
export function AccessSection({ plugin: p }: { plugin: PluginDetail }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PersonError | null>(null);
  const set = async (allowed: boolean) => {
    setAsking(false);
    setBusy(true);
    setError(null);
    try {
      await fledge().plugins.setFullAccess({ name: p.name, allowed });
      await Promise.all([loadPluginDetail(p.name).catch(() => undefined), loadPlugins()]);
      toast({
        tone: 'success',
        title: allowed ? `${p.name} runs with full access` : `${p.name} runs contained again`,
      });
    } catch (e) {
      setError(toPersonError(e, allowed ? 'Full access was not allowed' : 'It could not be contained again'));
    } finally {
      setBusy(false);
    }
  };
  const a = p.access;
  const needsApproval = p.consent.state !== 'approved';
  return (
    <div className="access-section" data-testid="plugin-access">
      <RuntimeBadge runtime={p.runtime} sandboxed={p.sandboxed} access={a} />
      <p className="small" data-testid="plugin-access-detail">
        {a.detail}
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {p.runtime !== 'native' ? null : a.fullAccessAllowed ? (
        <div className="access-actions">
          <p className="muted small">
            {a.containable
              ? 'Take it back and it runs contained again: it can read this project but not change it, and has no network unless you grant it.'
              : 'This computer cannot contain native plugins, so it runs with full access either way.'}
          </p>
          <Button busy={busy} onClick={() => void set(false)}>
            Take back full access
          </Button>
        </div>
      ) : a.containable ? (
        <div className="access-actions">
          <p className="muted small">
            If it does not work contained and you trust where it comes from, you can let it run with full
            access.
            {needsApproval ? ' Approve it as it is now first.' : ''}
          </p>
          <Button variant="danger" busy={busy} disabled={needsApproval} onClick={() => setAsking(true)}>
            Allow full access…
          </Button>
        </div>
      ) : null}
      {asking ? (
        <FullAccessDialog name={p.name} onAnswer={(yes) => (yes ? void set(true) : setAsking(false))} />
      ) : null}
    </div>
  );
}

function FullAccessDialog({ name, onAnswer }: { name: string; onAnswer: (allow: boolean) => void }) {
  const [understood, setUnderstood] = useState(false);
  return (
    <Dialog
      title={`Let ${name} run with full access?`}
      onClose={() => onAnswer(false)}
      footer={
        <>
          <Button onClick={() => onAnswer(false)} autoFocus>
            Keep it contained
          </Button>
          <Button variant="danger" disabled={!understood} onClick={() => onAnswer(true)}>
            Allow full access
          </Button>
        </>
      }
    >
      <div className="full-access-body">
        <p>
          It would run as a normal program with all your permissions, not contained.{' '}
          <strong>{FULL_ACCESS_CONSENT}</strong>
        </p>
        <p className="small">
          This holds for its programs as they are now: if they change, it runs contained again until you allow
          it again. You can take it back here at any time; the fledge-desktop CLI sees the same choice.
        </p>
        <label className="choice">
          <input
            type="checkbox"
            checked={understood}
            onChange={(e) => setUnderstood(e.target.checked)}
            data-testid="full-access-understood"
          />
          I understand that {name} can do anything I can do on this computer.
        </label>
      </div>
    </Dialog>
  );
}
