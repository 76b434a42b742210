/** The app shell: sidebar, the current page, and the live subscriptions for as long as it is mounted. */
import { useEffect, useRef } from 'react';
import { BundlePage } from '../features/bundle/bundle-page.js';
import { DoctorPage } from '../features/doctor/doctor-page.js';
import { IntegrationsPage } from '../features/integrations/integrations-page.js';
import { WizardPage } from '../features/wizard/wizard-page.js';
import { LogsPage } from '../features/logs/logs-page.js';
import { MetricsPage } from '../features/metrics/metrics-page.js';
import { OverviewPage } from '../features/overview/overview-page.js';
import { RequestsPage } from '../features/requests/requests-page.js';
import { useSlice, useStores } from '../store/stores-context.js';
import { Sidebar } from './sidebar.js';
import { useRoute, type PageId } from './use-route.js';

const TITLES: Record<PageId, string> = {
  overview: 'Overview',
  requests: 'Requests',
  logs: 'Logs',
  metrics: 'Metrics',
  bundle: 'Support bundle',
  doctor: 'Doctor',
  wizard: 'New tunnel',
  integrations: 'Integrations',
};

export function App() {
  const stores = useStores();
  const page = useRoute();
  const live = useSlice('status', (s) => s.live);
  const main = useRef<HTMLElement>(null);

  useEffect(() => stores.start(), [stores]);
  useEffect(() => {
    document.title = `${TITLES[page]} · MCP Tunnel`;
    const scroller = document.scrollingElement;
    if (scroller && scroller.scrollTop > 0) scroller.scrollTop = 0;
    main.current?.focus({ preventScroll: true });
  }, [page]);

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <Sidebar page={page} />
      <main id="main" className="main" ref={main} tabIndex={-1}>
        {live === 'unauthorized' ? (
          <div className="alert alert--bad" role="alert">
            The daemon no longer accepts this page&apos;s admin token (it changes on every start). Open the
            Admin UI link printed by <code>mcp-tunnel run</code> again.
          </div>
        ) : live === 'reconnecting' ? (
          <div className="alert alert--warn" role="status">
            Lost the live connection to the daemon; reconnecting. Is <code>mcp-tunnel run</code> still
            running?
          </div>
        ) : null}
        {page === 'overview' && <OverviewPage />}
        {page === 'requests' && <RequestsPage />}
        {page === 'logs' && <LogsPage />}
        {page === 'metrics' && <MetricsPage />}
        {page === 'bundle' && <BundlePage />}
        {page === 'doctor' && <DoctorPage />}
        {page === 'wizard' && <WizardPage />}
        {page === 'integrations' && <IntegrationsPage />}
      </main>
    </div>
  );
}

/** Shown when the page was opened without its admin token. */
export function SignedOut() {
  return (
    <main className="signed-out">
      <div className="card signed-out__card">
        <h1>Open the admin link from the terminal</h1>
        <p>
          The admin UI needs the one-time token that <code>mcp-tunnel run</code> prints at start-up. Open the{' '}
          <strong>Admin UI</strong> link shown there (it ends in <code>#token=…</code>).
        </p>
      </div>
    </main>
  );
}
