import { useState } from 'react';
import { fledge } from '../../api/client.js';
import { type PersonError, toPersonError } from '../../api/errors.js';
import type { CapabilityName, PluginDetail } from '../../api/types.js';
import { Badge } from '../../components/badge.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { CAPABILITY_ORDER, DENIED_TEXT, shortName } from '../../lib/capability-text.js';
import { loadPluginDetail, loadPlugins } from '../../stores/plugin-store.js';

/** Capabilities asked vs granted, each switchable: granting and withdrawing take effect on the next run. */
export function GrantsEditor({ plugin }: { plugin: PluginDetail }) {
  const [error, setError] = useState<PersonError | null>(null);
  const [busy, setBusy] = useState<CapabilityName | null>(null);
  const declared = plugin.declared;
  if (!declared)
    return <p className="muted">The plugin’s plugin.toml cannot be read, so its capabilities are unknown.</p>;
  const asked = CAPABILITY_ORDER.filter((n) =>
    n === 'filesystem' ? declared.filesystem !== 'none' : declared[n],
  );
  if (asked.length === 0)
    return <p className="muted">This plugin asks for nothing: it only talks to Fledge.</p>;
  const isOn = (n: CapabilityName) =>
    n === 'filesystem' ? plugin.granted.filesystem !== 'none' : plugin.granted[n];
  const toggle = async (n: CapabilityName, on: boolean) => {
    setBusy(n);
    setError(null);
    try {
      if (on) await fledge().plugins.grant({ name: plugin.name, capabilities: [n] });
      else await fledge().plugins.revoke({ name: plugin.name, capabilities: [n] });
      await Promise.all([loadPluginDetail(plugin.name), loadPlugins()]);
    } catch (e) {
      setError(
        toPersonError(
          e,
          on ? `${shortName(n)} could not be granted` : `${shortName(n)} could not be withdrawn`,
        ),
      );
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      {error ? <ErrorNotice error={error} /> : null}
      <ul className="grant-list">
        {asked.map((n) => {
          const on = isOn(n);
          const forbidden = plugin.tier === 'unverified' && (n === 'exec' || n === 'network');
          const id = `grant-${n}`;
          return (
            <li key={n} className="grant-item">
              <input
                id={id}
                type="checkbox"
                className="switch"
                checked={on}
                disabled={busy !== null || (forbidden && !on)}
                onChange={(e) => void toggle(n, e.target.checked)}
                aria-describedby={`${id}-text`}
              />
              <div>
                <label htmlFor={id} className="grant-name">
                  {shortName(n, declared.filesystem)}
                </label>{' '}
                {on ? <Badge tone="success">Granted</Badge> : <Badge tone="neutral">Not granted</Badge>}
                <p id={`${id}-text`} className="muted small">
                  {forbidden && !on
                    ? 'Plugins from unverified sources cannot be given this. Install it from a trusted source to use it.'
                    : on
                      ? 'Allowed. Switch off to withdraw it.'
                      : DENIED_TEXT[n]}
                </p>
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
