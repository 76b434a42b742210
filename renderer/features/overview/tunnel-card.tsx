/** One tunnel: state with reason and next step, on/off switch, live counters, access and channels. */
import type { TunnelSummary } from '../../../preload/contract/index.js';
import { useSlice } from '../../store/stores-context.js';
import { Badge } from '../../ui/badge.js';
import {
  CONNECTION_LABEL,
  STATE_LABEL,
  STATE_TONE,
  formatCount,
  formatRelative,
  sumValues,
} from '../../ui/format.js';
import { Switch } from '../../ui/switch.js';
import { useNow } from '../../ui/use-now.js';
import { ChannelsTable } from './channels-table.js';
import { ConnectPanel } from './connect-panel.js';

export function TunnelCard({ tunnel }: { tunnel: TunnelSummary }) {
  const now = useNow();
  const switching = useSlice('status', (s) => s.switching[tunnel.id] ?? false);
  const actionError = useSlice('status', (s) => s.actionError[tunnel.id]);
  const setEnabled = useSlice('status', (s) => s.setEnabled);
  const { state } = tunnel;
  const tone = STATE_TONE[state.kind];
  const errors = sumValues(tunnel.errorsByKind);
  const topErrors = Object.entries(tunnel.errorsByKind)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3);
  const readyChannels = tunnel.channels.filter((c) => c.state === 'ready').length;
  const headingId = `tunnel-${tunnel.id}-title`;

  return (
    <section className="card tunnel" aria-labelledby={headingId} data-testid={`tunnel-${tunnel.id}`}>
      <header className="tunnel__head">
        <div className="tunnel__title">
          <h2 id={headingId}>{tunnel.displayName}</h2>
          <span className="tag">{CONNECTION_LABEL[tunnel.connection]}</span>
          <span className="muted mono tunnel__id">{tunnel.id}</span>
        </div>
        <Switch
          checked={tunnel.enabled}
          busy={switching}
          label={`Tunnel ${tunnel.displayName} ${tunnel.enabled ? 'on' : 'off'}`}
          onChange={(on) => void setEnabled(tunnel.id, on)}
        />
      </header>

      <div className={`state state--${tone}`} data-testid="tunnel-state">
        <div className="state__line">
          <Badge tone={tone}>{STATE_LABEL[state.kind]}</Badge>
          <span className="state__reason">{state.reason}</span>
          <span className="muted state__since" title={new Date(state.since).toLocaleString()}>
            since {formatRelative(state.since, now)}
          </span>
        </div>
        {state.nextStep ? (
          <p className="state__next">
            <span className="state__next-label">Next step</span> {state.nextStep}
          </p>
        ) : null}
      </div>
      {actionError ? (
        <div className="alert alert--bad" role="alert">
          {actionError}
        </div>
      ) : null}

      <dl className="stats">
        <div className="stat">
          <dt>Last successful poll</dt>
          <dd>
            {tunnel.lastSuccessfulPollAt === undefined
              ? 'none yet'
              : formatRelative(tunnel.lastSuccessfulPollAt, now)}
            <span className="stat__sub">
              {tunnel.lastSuccessfulPollAt === undefined
                ? 'a poll completes when a command arrives'
                : 'control plane answered'}
            </span>
          </dd>
        </div>
        <div className="stat">
          <dt>Commands</dt>
          <dd>{formatCount(tunnel.commandsTotal)}</dd>
        </div>
        <div className="stat">
          <dt>In flight</dt>
          <dd>
            {tunnel.inflight}
            <span className="stat__sub">
              {tunnel.queued} queued · {tunnel.running} running
            </span>
          </dd>
        </div>
        <div className="stat">
          <dt>Errors</dt>
          <dd className={errors > 0 ? 'text-bad' : undefined}>
            {formatCount(errors)}
            <span className="stat__sub">
              {topErrors.length ? topErrors.map(([k, n]) => `${k} ${n}`).join(' · ') : 'none'}
            </span>
          </dd>
        </div>
        <div className="stat">
          <dt>Channels ready</dt>
          <dd>
            {readyChannels}
            <span className="stat__sub">of {tunnel.channels.length}</span>
          </dd>
        </div>
      </dl>

      <ConnectPanel tunnel={tunnel} />
      <ChannelsTable tunnel={tunnel} />
    </section>
  );
}
