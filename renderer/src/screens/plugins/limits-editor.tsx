import { useState } from 'react';
import { fledge } from '../../api/client.js';
import { type PersonError, toPersonError } from '../../api/errors.js';
import type { Limits, PluginDetail } from '../../api/types.js';
import { Button } from '../../components/button.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { formatBig } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import { loadPluginDetail, loadPlugins } from '../../stores/plugin-store.js';
import { settingsStore } from '../../stores/settings-store.js';
import { toast } from '../../stores/ui-store.js';
import { LimitField } from '../settings/limit-field.js';
import { LIMIT_FIELDS, type LimitKey, parseLimit, showLimit } from '../settings/limit-fields.js';

/** This plugin's own memory cap, compute budget and time limit; empty means "the default". */
export function LimitsEditor({ plugin }: { plugin: PluginDetail }) {
  const settings = useStore(settingsStore, (s) => s.settings);
  const [draft, setDraft] = useState<Record<LimitKey, string>>(() => ({
    memoryMb: plugin.ownLimits.memoryMb === null ? '' : showLimit('memoryMb', plugin.ownLimits.memoryMb),
    fuel: plugin.ownLimits.fuel === null ? '' : showLimit('fuel', plugin.ownLimits.fuel),
    timeoutMs: plugin.ownLimits.timeoutMs === null ? '' : showLimit('timeoutMs', plugin.ownLimits.timeoutMs),
  }));
  const [error, setError] = useState<PersonError | null>(null);
  const [busy, setBusy] = useState(false);
  const defaults: Limits | null = settings?.defaultLimits ?? null;
  const ceilings: Limits | null = settings?.ceilings ?? null;
  const problems: Partial<Record<LimitKey, string>> = {};
  const values: Partial<Record<LimitKey, number | null>> = {};
  for (const f of LIMIT_FIELDS) {
    const text = draft[f.key].trim();
    if (text === '') {
      values[f.key] = null;
      continue;
    }
    const v = parseLimit(f.key, text);
    if (v === null) problems[f.key] = `Type a number of ${f.unit}.`;
    else if (ceilings && v > ceilings[f.key])
      problems[f.key] =
        `At most ${showLimit(f.key, ceilings[f.key])} ${f.unit} (the ceiling set in Settings).`;
    else values[f.key] = v;
  }
  const save = async () => {
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      await fledge().plugins.setLimits({ name: plugin.name, limits: values });
      await Promise.all([loadPluginDetail(plugin.name), loadPlugins()]);
      toast({
        tone: 'success',
        title: `Limits of ${plugin.name} saved`,
        text: 'Every run of it uses them from now on.',
      });
    } catch (e) {
      setError(toPersonError(e, 'The limits could not be saved'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="limits-form"
      aria-label={`Limits of ${plugin.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {error ? <ErrorNotice error={error} /> : null}
      <div className="limit-grid">
        {LIMIT_FIELDS.map((f) => (
          <LimitField
            key={f.key}
            id={`plugin-limit-${f.key}`}
            field={f}
            value={draft[f.key]}
            placeholder={defaults ? `Default: ${showLimit(f.key, defaults[f.key])}` : 'Default'}
            problem={problems[f.key]}
            hint={
              f.key === 'fuel'
                ? `In force: ${formatBig(plugin.limits.fuel)} steps.`
                : `In force: ${showLimit(f.key, plugin.limits[f.key])} ${f.unit}.`
            }
            onChange={(text) => setDraft((d) => ({ ...d, [f.key]: text }))}
          />
        ))}
      </div>
      <p className="muted small">Leave a box empty to use the default from Settings.</p>
      <div className="form-actions">
        <Button
          type="submit"
          variant="primary"
          busy={busy}
          disabled={busy || Object.keys(problems).length > 0}
        >
          Save limits
        </Button>
      </div>
    </form>
  );
}
