import type { ButtonHTMLAttributes, ReactNode } from 'react';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: 'small' | 'normal';
  icon?: ReactNode;
  busy?: boolean;
}

/** The one button of the app: a real <button>, so Enter and Space work everywhere. */
export function Button({
  variant = 'secondary',
  size = 'normal',
  icon,
  busy,
  children,
  className,
  ...rest
}: ButtonProps) {
  const classes = ['btn', `btn-${variant}`, size === 'small' ? 'btn-small' : '', className ?? ''].filter(
    Boolean,
  );
  return (
    <button type="button" className={classes.join(' ')} aria-busy={busy || undefined} {...rest}>
      {busy ? <span className="spinner spinner-inline" aria-hidden="true" /> : icon}
      {children}
    </button>
  );
}
