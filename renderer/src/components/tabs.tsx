import { type KeyboardEvent, type ReactNode, useRef } from 'react';

export interface TabItem {
  id: string;
  label: ReactNode;
  /** Accessible name when the label is not plain text. */
  title?: string;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Home/End jump, only the selected tab is in the Tab order. */
export function Tabs({
  items,
  selected,
  onSelect,
  label,
  panelId,
  trailing,
}: {
  items: TabItem[];
  selected: string | null;
  onSelect: (id: string) => void;
  label: string;
  panelId: string;
  trailing?: ReactNode;
}) {
  const refs = useRef(new Map<string, HTMLButtonElement>());
  const onKey = (e: KeyboardEvent, index: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % items.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const item = items[next];
    if (!item) return;
    onSelect(item.id);
    refs.current.get(item.id)?.focus();
  };
  const current = selected ?? items[0]?.id;
  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} className="tablist">
        {items.map((item, i) => (
          <button
            key={item.id}
            ref={(el) => {
              if (el) refs.current.set(item.id, el);
              else refs.current.delete(item.id);
            }}
            type="button"
            role="tab"
            id={`tab-${item.id}`}
            aria-selected={item.id === current}
            aria-controls={panelId}
            tabIndex={item.id === current ? 0 : -1}
            className="tab"
            title={item.title}
            onClick={() => onSelect(item.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {item.label}
          </button>
        ))}
      </div>
      {trailing}
    </div>
  );
}
