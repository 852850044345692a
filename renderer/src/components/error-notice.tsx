import type { ReactNode } from 'react';
import type { PersonError } from '../api/errors.js';
import { Notice } from './notice.js';

/** A failure as a person reads it: what went wrong, then what to do. */
export function ErrorNotice({ error, action }: { error: PersonError; action?: ReactNode }) {
  return (
    <Notice tone="danger" title={error.title} action={action}>
      <p>{error.message}</p>
      {error.next ? <p className="muted">{error.next}</p> : null}
    </Notice>
  );
}
