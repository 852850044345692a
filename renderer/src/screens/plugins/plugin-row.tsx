import type { PluginSummary } from '../../api/types.js';
import { ConsentBadge, GrantChips, RuntimeBadge, TierBadge } from './plugin-badges.js';

export function PluginRow({ plugin: p }: { plugin: PluginSummary }) {
  return (
    <li className="plugin-row">
      <a className="plugin-row-link" href={`#/plugin/${encodeURIComponent(p.name)}`}>
        <div className="plugin-row-main">
          <div className="plugin-row-title">
            <span className="plugin-name">{p.name}</span> <span className="muted">{p.version}</span>
            <ConsentBadge plugin={p} />
          </div>
          <p className="plugin-description">{p.description ?? 'No description.'}</p>
          <div className="plugin-row-meta">
            <RuntimeBadge runtime={p.runtime} sandboxed={p.sandboxed} access={p.access} />
            <TierBadge tier={p.tier} text={p.tierText} />
            <GrantChips granted={p.granted} />
          </div>
        </div>
        <div className="plugin-row-side muted small">
          {p.commands.length === 1 ? '1 command' : `${p.commands.length} commands`}
          <span className="mono">{p.commands.map((c) => c.name).join(', ')}</span>
        </div>
      </a>
    </li>
  );
}
