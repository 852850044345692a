import type { LIMIT_FIELDS } from './limit-fields.js';

/** One limit's box (memory, compute budget or time), with its unit, and a hint or the problem with it. */
export function LimitField({
  id,
  field,
  value,
  placeholder,
  problem,
  hint,
  onChange,
}: {
  id: string;
  field: (typeof LIMIT_FIELDS)[number];
  value: string;
  placeholder?: string;
  problem: string | undefined;
  hint: string;
  onChange: (text: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {field.label} <span className="muted">({field.unit})</span>
      </label>
      <input
        id={id}
        className="input"
        inputMode="decimal"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-hint`}
      />
      <div id={`${id}-hint`} className={problem ? 'field-error' : 'field-hint muted'}>
        {problem ?? hint}
      </div>
    </div>
  );
}
