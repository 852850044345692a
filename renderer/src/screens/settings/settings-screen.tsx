import { useState } from 'react';
import { type PersonError, toPersonError } from '../../api/errors.js';
import type { Settings, Theme } from '../../api/types.js';
import { Badge } from '../../components/badge.js';
import { Button } from '../../components/button.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { PageHeader } from '../../components/page-header.js';
import { Spinner } from '../../components/progress.js';
import { useStore } from '../../lib/store.js';
import { loadSettings, saveGithubToken, settingsStore, updateSettings } from '../../stores/settings-store.js';
import { toast } from '../../stores/ui-store.js';
import { LimitField } from './limit-field.js';
import { LIMIT_FIELDS, type LimitKey, parseLimit, showLimit } from './limit-fields.js';

function DefaultLimits({ settings }: { settings: Settings }) {
  const [draft, setDraft] = useState<Record<LimitKey, string>>(() => ({
    memoryMb: showLimit('memoryMb', settings.defaultLimits.memoryMb),
    fuel: showLimit('fuel', settings.defaultLimits.fuel),
    timeoutMs: showLimit('timeoutMs', settings.defaultLimits.timeoutMs),
  }));
  const [error, setError] = useState<PersonError | null>(null);
  const [busy, setBusy] = useState(false);
  const problems: Partial<Record<LimitKey, string>> = {};
  const values: Partial<Record<LimitKey, number>> = {};
  for (const f of LIMIT_FIELDS) {
    const v = parseLimit(f.key, draft[f.key].trim());
    if (v === null) problems[f.key] = `Type a number of ${f.unit}.`;
    else if (v > settings.ceilings[f.key])
      problems[f.key] = `At most ${showLimit(f.key, settings.ceilings[f.key])} ${f.unit}.`;
    else values[f.key] = v;
  }
  return (
    <form
      className="card"
      aria-labelledby="limits-title"
      onSubmit={async (e) => {
        e.preventDefault();
        if (Object.keys(problems).length) return;
        setBusy(true);
        setError(null);
        try {
          await updateSettings({ defaultLimits: values });
          toast({
            tone: 'success',
            title: 'Default limits saved',
            text: 'Plugins without their own limits use them from their next run.',
          });
        } catch (err) {
          setError(toPersonError(err, 'The limits could not be saved'));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="limits-title" className="card-title">
        Limits for every run
      </h2>
      <p className="muted">
        Each plugin run is held to these, so a broken or greedy plugin cannot take over your computer. A
        plugin’s page can set its own.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="limit-grid">
        {LIMIT_FIELDS.map((f) => (
          <LimitField
            key={f.key}
            id={`default-${f.key}`}
            field={f}
            value={draft[f.key]}
            problem={problems[f.key]}
            hint={`${f.explain} Highest allowed: ${showLimit(f.key, settings.ceilings[f.key])} ${f.unit}.`}
            onChange={(text) => setDraft((d) => ({ ...d, [f.key]: text }))}
          />
        ))}
      </div>
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

function ThemeChoice({ theme }: { theme: Theme }) {
  const options: { value: Theme; label: string }[] = [
    { value: 'system', label: 'Same as my computer' },
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
  ];
  return (
    <section className="card" aria-labelledby="theme-title">
      <h2 id="theme-title" className="card-title">
        Appearance
      </h2>
      <fieldset className="choice-list choice-row">
        <legend className="visually-hidden">Theme</legend>
        {options.map((o) => (
          <label key={o.value} className="choice">
            <input
              type="radio"
              name="theme"
              value={o.value}
              checked={theme === o.value}
              onChange={() => void updateSettings({ theme: o.value }).catch(() => undefined)}
            />
            {o.label}
          </label>
        ))}
      </fieldset>
    </section>
  );
}

function GithubToken({ saved }: { saved: boolean }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<PersonError | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (value: string | null) => {
    setBusy(true);
    setError(null);
    try {
      await saveGithubToken(value);
      setToken('');
      toast({ tone: 'success', title: value ? 'GitHub token saved' : 'GitHub token removed' });
    } catch (e) {
      setError(toPersonError(e, 'The token could not be saved'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card"
      aria-labelledby="token-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim()) void save(token.trim());
      }}
    >
      <h2 id="token-title" className="card-title">
        GitHub token <span className="muted small">(optional)</span>
      </h2>
      <p className="muted">
        The catalog searches GitHub and looks at each plugin it shows. Without a token GitHub answers 60
        requests an hour (about 25 for a first look at the catalog); with one, 5,000. Fledge keeps it to
        itself and never shows it again.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      <p className="card-row">
        {saved ? <Badge tone="success">A token is saved</Badge> : <Badge>No token saved</Badge>}
      </p>
      <div className="inline-fields card-row">
        <label htmlFor="github-token" className="visually-hidden">
          GitHub token
        </label>
        <input
          id="github-token"
          className="input field-grow"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={
            saved ? 'Paste a new token to replace it' : 'Paste a token (starts with ghp_ or github_pat_)'
          }
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <Button type="submit" variant="primary" disabled={!token.trim() || busy} busy={busy}>
          Save token
        </Button>
        {saved ? (
          <Button variant="ghost" onClick={() => void save(null)} disabled={busy}>
            Remove token
          </Button>
        ) : null}
      </div>
    </form>
  );
}

export function SettingsScreen() {
  const { settings, error } = useStore(settingsStore);
  return (
    <>
      <PageHeader title="Settings" />
      {error ? (
        <ErrorNotice
          error={error}
          action={
            <Button size="small" onClick={() => void loadSettings()}>
              Try again
            </Button>
          }
        />
      ) : null}
      {!settings ? (
        error ? null : (
          <Spinner label="Loading settings" />
        )
      ) : (
        <div className="settings-stack">
          <ThemeChoice theme={settings.theme} />
          <DefaultLimits key={JSON.stringify(settings.defaultLimits)} settings={settings} />
          <GithubToken saved={settings.githubToken.saved} />
          <section className="card" aria-labelledby="files-title">
            <h2 id="files-title" className="card-title">
              Where fledge keeps its files
            </h2>
            <p className="muted">
              Installed plugins and their data live here. The fledge command-line tool uses the same folder,
              so plugins installed by either show up in both.
            </p>
            <div className="inline-fields card-row">
              <code className="path-box break" data-testid="config-dir">
                {settings.configDir}
              </code>
              <Button
                size="small"
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(settings.configDir);
                    toast({ tone: 'success', title: 'Folder location copied' });
                  } catch {
                    toast({
                      tone: 'info',
                      title: 'Copying is not allowed here',
                      text: 'Select the location and copy it by hand.',
                    });
                  }
                }}
              >
                Copy location
              </Button>
            </div>
          </section>
        </div>
      )}
    </>
  );
}
