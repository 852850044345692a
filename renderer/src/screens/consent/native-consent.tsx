import type { ConsentRequest } from '../../api/types.js';
import { Badge } from '../../components/badge.js';

type NativeConsent = NonNullable<ConsentRequest['native']>;

/**
 * What the consent screen says about a native plugin: a program that runs as you, how it will run
 * here (contained or with full access), each program with its SHA-256 (pinned: a changed program
 * needs your approval again), and, for an unverified source, a separate question to answer yes.
 */
export function NativeConsentSection({
  native,
  confirmed,
  onConfirm,
}: {
  native: NativeConsent;
  confirmed: boolean;
  onConfirm: (yes: boolean) => void;
}) {
  const full = native.accessLabel.startsWith('native, full access');
  return (
    <div className="consent-build" data-testid="native-consent">
      <h3>It is a program that runs as you</h3>
      <p className="small">{native.summary}</p>
      <p className="small">
        <strong>How it will run here:</strong>{' '}
        <Badge tone={full ? 'danger' : 'warning'}>{native.accessLabel}</Badge>
      </p>
      {native.containmentNote ? <p className="muted small">{native.containmentNote}</p> : null}
      <p className="small">
        <strong>Exactly this program</strong> (if it changes, it will not run until you approve it again):
      </p>
      <ul className="small">
        {native.binaries.map((b) => (
          <li key={b.path}>
            <code className="break">{b.path}</code> <span className="muted">SHA-256</span>{' '}
            <code className="break">{b.sha256 ?? 'not built yet: taken after the build'}</code>
          </li>
        ))}
      </ul>
      {native.extraConfirmation ? (
        <label className="choice">
          <input type="checkbox" checked={confirmed} onChange={(e) => onConfirm(e.target.checked)} />
          {native.extraConfirmation}
        </label>
      ) : null}
    </div>
  );
}
