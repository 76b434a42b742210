/** The left navigation: one link per page, the current one marked for screen readers. */
import { useSlice } from '../store/stores-context.js';
import { Icon, type IconName } from '../ui/icons.js';
import type { PageId } from './use-route.js';

const NAV: ReadonlyArray<{ id: PageId; label: string; icon: IconName }> = [
  { id: 'overview', label: 'Overview', icon: 'overview' },
  { id: 'requests', label: 'Requests', icon: 'requests' },
  { id: 'logs', label: 'Logs', icon: 'logs' },
  { id: 'metrics', label: 'Metrics', icon: 'metrics' },
  { id: 'bundle', label: 'Support bundle', icon: 'bundle' },
  { id: 'doctor', label: 'Doctor', icon: 'doctor' },
  { id: 'wizard', label: 'New tunnel', icon: 'wizard' },
  { id: 'integrations', label: 'Integrations', icon: 'integrations' },
];

const LIVE_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Signed out',
} as const;

export function Sidebar({ page }: { page: PageId }) {
  const version = useSlice('status', (s) => s.version);
  const live = useSlice('status', (s) => s.live);
  const requestCount = useSlice('requests', (s) => s.records.length);
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true" />
        <span className="brand__name">MCP Tunnel</span>
      </div>
      <nav aria-label="Pages">
        <ul className="nav">
          {NAV.map((item) => (
            <li key={item.id}>
              <a
                href={`#/${item.id}`}
                className={`nav__link${page === item.id ? ' nav__link--active' : ''}`}
                aria-current={page === item.id ? 'page' : undefined}
              >
                <Icon name={item.icon} />
                <span>{item.label}</span>
                {item.id === 'requests' && requestCount > 0 ? (
                  <span className="nav__count" aria-label={`${requestCount} recent`}>
                    {requestCount}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar__foot">
        <span className={`live live--${live}`} role="status">
          <span className="live__dot" aria-hidden="true" />
          {LIVE_TEXT[live]}
        </span>
        {version ? <span className="sidebar__version">v{version}</span> : null}
      </div>
    </aside>
  );
}
