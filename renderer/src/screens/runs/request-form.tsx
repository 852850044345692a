import { useEffect, useId, useRef, useState } from 'react';
import type { RequestEvent } from '../../api/types.js';
import { Button } from '../../components/button.js';

/** The fledge-v1 `validate` rules, checked before the answer is sent; the words say what to type. */
export function validateWith(rule: string | undefined, value: string): string | null {
  switch (rule) {
    case 'non_empty':
      return value.trim() ? null : 'Please type an answer; it cannot be empty.';
    case 'integer':
      return /^\s*-?\d+\s*$/.test(value) ? null : 'Type a whole number, such as 3.';
    case 'url':
      try {
        const u = new URL(value.trim());
        return u.protocol === 'http:' || u.protocol === 'https:'
          ? null
          : 'Type a web address starting with https://.';
      } catch {
        return 'Type a web address starting with https://.';
      }
    default:
      // path_exists is checked by the plugin on its side; unknown rules are the plugin's to enforce
      return null;
  }
}

/** A plugin's question (prompt, confirm, select, multi_select) as a small form inside the run. */
export function RequestForm({
  request: r,
  onAnswer,
}: {
  request: RequestEvent;
  onAnswer: (value: string | boolean | string[]) => void;
}) {
  const id = useId();
  const options = r.options ?? [];
  const initialText =
    typeof r.default === 'string' ? r.default : r.default === undefined ? '' : String(r.default);
  const [text, setText] = useState(initialText);
  const [choice, setChoice] = useState<string>(() => {
    if (typeof r.default === 'number' && options[r.default] !== undefined) return options[r.default]!;
    if (typeof r.default === 'string' && options.includes(r.default)) return r.default;
    return options[0] ?? '';
  });
  const [picked, setPicked] = useState<Set<number>>(() => new Set(r.defaults ?? []));
  const [error, setError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // The question is what the run waits for: put the keyboard on it (its default choice, if any).
  useEffect(() => {
    const f = form.current;
    if (!f || f.closest('[hidden]')) return;
    const target =
      f.querySelector<HTMLElement>('input[type="text"], input:not([type]), input:checked') ??
      f.querySelector<HTMLElement>('input, .btn-primary');
    target?.focus();
  }, []);
  const submit = () => {
    if (r.kind === 'prompt') {
      const problem = validateWith(r.validate, text);
      if (problem) {
        setError(problem);
        return;
      }
      onAnswer(text);
    } else if (r.kind === 'select') onAnswer(choice);
    else if (r.kind === 'multi_select') onAnswer(options.filter((_, i) => picked.has(i)));
  };
  return (
    <form
      ref={form}
      className="request-form"
      aria-labelledby={`${id}-q`}
      data-testid="request-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p className="request-label">The plugin asks</p>
      <p id={`${id}-q`} className="request-question">
        {r.message}
      </p>
      {r.kind === 'prompt' ? (
        <div className="field">
          <label htmlFor={`${id}-in`} className="visually-hidden">
            Your answer
          </label>
          <input
            id={`${id}-in`}
            className="input"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-err` : undefined}
          />
          {error ? (
            <div id={`${id}-err`} className="field-error" role="alert">
              {error}
            </div>
          ) : null}
        </div>
      ) : null}
      {r.kind === 'select' ? (
        <fieldset className="choice-list" aria-labelledby={`${id}-q`}>
          {options.map((o) => (
            <label key={`opt-${o}`} className="choice">
              <input
                type="radio"
                name={`${id}-sel`}
                value={o}
                checked={choice === o}
                onChange={() => setChoice(o)}
              />
              {o}
            </label>
          ))}
        </fieldset>
      ) : null}
      {r.kind === 'multi_select' ? (
        <fieldset className="choice-list" aria-labelledby={`${id}-q`}>
          {options.map((o, i) => (
            <label key={`opt-${o}`} className="choice">
              <input
                type="checkbox"
                checked={picked.has(i)}
                onChange={(e) =>
                  setPicked((p) => {
                    const next = new Set(p);
                    if (e.target.checked) next.add(i);
                    else next.delete(i);
                    return next;
                  })
                }
              />
              {o}
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="form-actions">
        {r.kind === 'confirm' ? (
          <>
            <Button variant={r.default === false ? 'secondary' : 'primary'} onClick={() => onAnswer(true)}>
              Yes
            </Button>
            <Button variant={r.default === false ? 'primary' : 'secondary'} onClick={() => onAnswer(false)}>
              No
            </Button>
          </>
        ) : (
          <Button type="submit" variant="primary">
            Answer
          </Button>
        )}
      </div>
    </form>
  );
}
