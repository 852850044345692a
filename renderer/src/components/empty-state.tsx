import type { ReactNode } from 'react';

/** What a screen shows when it has nothing yet: one sentence and, usually, one button. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-state-mark" aria-hidden="true" />
      <h2>{title}</h2>
      {children ? <p className="muted">{children}</p> : null}
      {action ? <div className="empty-state-action">{action}</div> : null}
    </section>
  );
}
