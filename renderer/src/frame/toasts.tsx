import { useStore } from '../lib/store.js';
import { dismissToast, toastStore } from '../stores/ui-store.js';

export function Toasts() {
  const toasts = useStore(toastStore);
  return (
    <section className="toasts" aria-live="polite" aria-label="Messages">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} role={t.tone === 'danger' ? 'alert' : 'status'}>
          <div className="toast-body">
            <strong>{t.title}</strong>
            {t.text ? <p className="toast-text">{t.text}</p> : null}
          </div>
          <button
            type="button"
            className="toast-close"
            aria-label="Dismiss message"
            onClick={() => dismissToast(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
