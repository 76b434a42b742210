/** The tunnel's MCP channels: transport, target, process, probe and sessions. */
import type { ChannelSummary, TunnelSummary } from '../../../preload/contract/index.js';
import { Badge } from '../../ui/badge.js';
import type { Tone } from '../../ui/format.js';
import { formatRelative } from '../../ui/format.js';
import { useNow } from '../../ui/use-now.js';

const CHANNEL_TONE: Record<ChannelSummary['state'], Tone> = {
  idle: 'idle',
  starting: 'busy',
  ready: 'ok',
  restarting: 'warn',
  failed: 'bad',
  stopped: 'idle',
};

const TRANSPORT_LABEL: Record<ChannelSummary['transport'], string> = {
  stdio: 'stdio',
  'streamable-http': 'Streamable HTTP',
  'in-memory': 'in-memory',
};

export function ChannelsTable({ tunnel }: { tunnel: TunnelSummary }) {
  const now = useNow(5000);
  return (
    <div className="channels">
      <h3 className="section-title">Channels</h3>
      {/* Focusable so the table can be scrolled by keyboard when the window is narrow. */}
      <div
        className="table-wrap"
        tabIndex={0}
        role="region"
        aria-label={`Channels of ${tunnel.displayName}, scrollable`}
      >
        <table className="table">
          <caption className="visually-hidden">Channels of {tunnel.displayName}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Transport</th>
              <th scope="col">Command or URL</th>
              <th scope="col">Process</th>
              <th scope="col">Probe</th>
              <th scope="col" className="num">
                Sessions
              </th>
              <th scope="col" className="num">
                In flight
              </th>
            </tr>
          </thead>
          <tbody>
            {tunnel.channels.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  {tunnel.enabled ? 'Channels are starting…' : 'Channels start when the tunnel is turned on.'}
                </td>
              </tr>
            ) : null}
            {tunnel.channels.map((c) => (
              <tr key={c.name}>
                <th scope="row" className="mono">
                  {c.name}
                </th>
                <td>
                  <Badge tone={CHANNEL_TONE[c.state]} title={c.lastError}>
                    {c.state}
                  </Badge>
                  {c.lastError ? <div className="cell-note text-bad">{c.lastError}</div> : null}
                </td>
                <td>{TRANSPORT_LABEL[c.transport]}</td>
                <td className="mono cell-target" title={c.target}>
                  {c.target}
                </td>
                <td className="mono">
                  {c.transport === 'stdio' ? (
                    <>
                      {c.pid ? `PID ${c.pid}` : 'not running'}
                      <div className="cell-note">
                        {c.restarts} {c.restarts === 1 ? 'restart' : 'restarts'}
                      </div>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {c.probe ? (
                    <>
                      <Badge tone={c.probe.ok ? 'ok' : 'bad'} title={c.probe.message}>
                        {c.probe.ok ? 'passing' : 'failing'}
                      </Badge>
                      <div className="cell-note">
                        {formatRelative(c.probe.at, now)}
                        {c.probe.ok ? '' : ` · ${c.probe.message}`}
                      </div>
                    </>
                  ) : (
                    <span className="muted">not run yet</span>
                  )}
                </td>
                <td className="num">{c.sessions}</td>
                <td className="num">{c.inFlight}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
