/** A determinate bar when the total is known, an indeterminate one (a moving stripe) otherwise. */
export function ProgressBar({
  value,
  max,
  label,
}: {
  value?: number | undefined;
  max?: number | undefined;
  label: string;
}) {
  const known = value !== undefined && max !== undefined && max > 0;
  const pct = known ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return (
    <div
      className={`progress ${known ? '' : 'progress-indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={known ? 0 : undefined}
      aria-valuemax={known ? max : undefined}
      aria-valuenow={known ? value : undefined}
    >
      <div className="progress-fill" style={known ? { width: `${pct}%` } : undefined} />
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status" aria-label={label}>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
