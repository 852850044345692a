import { useId, useState } from 'react';
import type { PluginSummary } from '../../api/types.js';
import { Button } from '../../components/button.js';
import { splitArgs } from '../../lib/args.js';
import { useStore } from '../../lib/store.js';
import { projectStore } from '../../stores/project-store.js';
import { startRun } from '../../stores/run-store.js';
import { navigate } from '../../stores/ui-store.js';

/** Pick a command, give arguments, run it on the current project. */
export function RunForm({ plugin }: { plugin: PluginSummary }) {
  const id = useId();
  const project = useStore(projectStore, (s) => s.current);
  const [command, setCommand] = useState(plugin.commands[0]?.name ?? '');
  const [argText, setArgText] = useState('');
  const [busy, setBusy] = useState(false);
  const parsed = splitArgs(argText);
  const blocked = !plugin.enabled
    ? 'This plugin is disabled. Enable it to run it.'
    : plugin.consent.state === 'needs_approval' || !plugin.approvedHere
      ? 'Review and approve this plugin before it runs here.'
      : null;
  const submit = async () => {
    if (parsed.error || blocked || !command) return;
    setBusy(true);
    const runId = await startRun({ plugin: plugin.name, command, args: parsed.args });
    setBusy(false);
    if (runId) navigate({ page: 'runs', runId });
  };
  const desc = plugin.commands.find((c) => c.name === command)?.description;
  return (
    <form
      className="run-form"
      aria-label={`Run ${plugin.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="run-form-fields">
        <div className="field">
          <label className="field-label" htmlFor={`${id}-cmd`}>
            Command
          </label>
          <select
            id={`${id}-cmd`}
            className="input"
            value={command}
            onChange={(e) => setCommand(e.target.value)}
          >
            {plugin.commands.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label className="field-label" htmlFor={`${id}-args`}>
            Arguments <span className="muted">(optional)</span>
          </label>
          <input
            id={`${id}-args`}
            className="input mono"
            value={argText}
            onChange={(e) => setArgText(e.target.value)}
            placeholder="e.g. --verbose"
            aria-invalid={parsed.error ? true : undefined}
            aria-describedby={parsed.error ? `${id}-argerr` : undefined}
          />
        </div>
        <Button
          type="submit"
          variant="primary"
          busy={busy}
          disabled={Boolean(blocked) || Boolean(parsed.error) || busy}
        >
          Run
        </Button>
      </div>
      {desc ? <p className="muted small">{desc}</p> : null}
      {parsed.error ? (
        <p id={`${id}-argerr`} className="field-error">
          {parsed.error}
        </p>
      ) : null}
      {blocked ? <p className="muted small">{blocked}</p> : null}
      <p className="muted small">
        {project ? (
          <>
            Runs on <strong>{project.name}</strong>.
          </>
        ) : (
          'No project is open: it runs without a project folder.'
        )}
      </p>
    </form>
  );
}
