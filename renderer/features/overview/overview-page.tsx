/** Overview: every tunnel with its state, why, and what to do next; then how to connect and its channels. */
import { useSlice } from '../../store/stores-context.js';
import { TunnelCard } from './tunnel-card.js';

export function OverviewPage() {
  const loaded = useSlice('status', (s) => s.loaded);
  const loadError = useSlice('status', (s) => s.loadError);
  const tunnels = useSlice('status', (s) => s.tunnels);
  const ready = tunnels.filter((t) => t.state.kind === 'ready').length;

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="page-head__sub">
            {loaded
              ? `${tunnels.length} ${tunnels.length === 1 ? 'tunnel' : 'tunnels'} · ${ready} ready`
              : 'Loading status…'}
          </p>
        </div>
      </header>
      {loadError ? (
        <div className="alert alert--bad" role="alert">
          Could not load the status: {loadError}
        </div>
      ) : null}
      {loaded && tunnels.length === 0 ? (
        <div className="card empty">
          <h2>No tunnels configured</h2>
          <p>
            Create a profile with <code>mcp-tunnel init</code>, or start the offline demo with{' '}
            <code>mcp-tunnel run --demo</code>.
          </p>
        </div>
      ) : null}
      <div className="stack">
        {tunnels.map((t) => (
          <TunnelCard key={t.id} tunnel={t} />
        ))}
      </div>
    </>
  );
}
