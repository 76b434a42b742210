/** Where MCP clients connect: URL, connector token (hidden until revealed) and tunnel id, each copyable. */
import type { TunnelSummary } from '../../../preload/contract/index.js';
import { useSlice } from '../../store/stores-context.js';
import { CopyButton } from '../../ui/copy-button.js';

export function ConnectPanel({ tunnel }: { tunnel: TunnelSummary }) {
  const token = useSlice('status', (s) => s.tokens[tunnel.id]);
  const revealToken = useSlice('status', (s) => s.revealToken);
  const hideToken = useSlice('status', (s) => s.hideToken);
  return (
    <div className="connect">
      <h3 className="section-title">Connect a client</h3>
      <dl className="kv">
        {tunnel.mcpUrl ? (
          <div className="kv__row">
            <dt>MCP URL</dt>
            <dd>
              <code className="kv__value" data-testid="mcp-url">
                {tunnel.mcpUrl}
              </code>
              <CopyButton value={tunnel.mcpUrl} label="MCP URL" />
            </dd>
          </div>
        ) : null}
        {tunnel.hasConnectorToken ? (
          <div className="kv__row">
            <dt>Connector token</dt>
            <dd>
              {token ? (
                <>
                  <code className="kv__value" data-testid="connector-token">
                    {token}
                  </code>
                  <CopyButton value={token} label="connector token" />
                  <button
                    type="button"
                    className="btn btn--small btn--ghost"
                    onClick={() => hideToken(tunnel.id)}
                  >
                    Hide
                  </button>
                </>
              ) : (
                <>
                  <span className="kv__value kv__secret" aria-label="hidden">
                    ••••••••••••••••••••
                  </span>
                  <button
                    type="button"
                    className="btn btn--small"
                    onClick={() => void revealToken(tunnel.id)}
                    aria-label="Reveal connector token"
                  >
                    Reveal
                  </button>
                </>
              )}
            </dd>
          </div>
        ) : null}
        <div className="kv__row">
          <dt>Tunnel ID</dt>
          <dd>
            {tunnel.tunnelId ? (
              <>
                <code className="kv__value">{tunnel.tunnelId}</code>
                <CopyButton value={tunnel.tunnelId} label="tunnel ID" />
              </>
            ) : (
              <span className="muted">known once the tunnel is on</span>
            )}
          </dd>
        </div>
      </dl>
    </div>
  );
}
