/**
 * Integrations: Add to Codex for each tunnel with an MCP URL here. The exact entry (token masked)
 * is shown first; Add writes it, Remove takes it out, Verify asks the Codex CLI what it sees.
 */
import { useId } from 'react';
import type { TunnelSummary } from '../../../preload/contract/index.js';
import { codexStateOf } from '../../store/integrations-slice.js';
import { useSlice, useStores } from '../../store/stores-context.js';
import { Badge } from '../../ui/badge.js';

function CodexCard({ tunnel }: { tunnel: TunnelSummary }) {
  const store = useStores().integrations;
  const { setOptions, preview, add, remove, verify } = store.getState();
  const stored = useSlice('integrations', (s) => s.byTunnel[tunnel.id]);
  const state = stored ?? codexStateOf({ byTunnel: {} }, tunnel.id);
  const id = useId();
  const busy = state.busy !== undefined;
  return (
    <section className="card integration" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card__title">
        Add to Codex · <span className="mono">{tunnel.displayName}</span>{' '}
        <Badge tone={tunnel.state.kind === 'ready' ? 'ok' : 'idle'}>{tunnel.state.kind}</Badge>
      </h2>
      <div className="toolbar">
        <div className="field">
          <label className="field__label" htmlFor={`${id}-name`}>
            Name in Codex
          </label>
          <input
            id={`${id}-name`}
            className="input"
            value={state.name}
            spellCheck={false}
            onChange={(e) => setOptions(tunnel.id, { name: e.target.value })}
          />
        </div>
        <fieldset className="segmented segmented--row">
          <legend className="field__label">Connector token</legend>
          {(
            [
              ['env', 'From an environment variable'],
              ['header', 'In the file (Authorization header)'],
            ] as const
          ).map(([mode, label]) => (
            <label key={mode} className={`segmented__option${state.tokenMode === mode ? ' is-checked' : ''}`}>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={state.tokenMode === mode}
                onChange={() => setOptions(tunnel.id, { tokenMode: mode })}
              />
              {label}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="toolbar">
        <button type="button" className="btn" disabled={busy} onClick={() => void preview(tunnel.id)}>
          Show entry
        </button>
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy || !state.preview}
          title={state.preview ? undefined : 'Show the entry first'}
          onClick={() => void add(tunnel.id)}
        >
          {state.preview?.replaces ? 'Replace in Codex' : 'Add to Codex'}
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          disabled={busy}
          onClick={() => void remove(tunnel.id)}
        >
          Remove
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          disabled={busy}
          onClick={() => void verify(tunnel.id)}
        >
          Verify
        </button>
      </div>
      {state.preview ? (
        <div>
          <p className="muted">
            {state.preview.replaces ? 'Replaces the entry in ' : 'Will be written to '}
            <span className="mono">{state.preview.configPath}</span>; the rest of the file stays as it is.
          </p>
          <pre className="evidence" aria-label="Codex entry">
            {state.preview.entryToml}
          </pre>
          {state.preview.notes.length ? (
            <ul className="note">
              {state.preview.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <div aria-live="polite">
        {state.busy ? <p className="muted">Working…</p> : null}
        {state.result ? (
          <p className={state.result.ok ? '' : 'text-bad'}>
            <Badge tone={state.result.ok ? 'ok' : 'bad'}>{state.result.ok ? 'done' : 'problem'}</Badge>{' '}
            {state.result.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}

export function IntegrationsPage() {
  const tunnels = useSlice('status', (s) => s.tunnels);
  const usable = tunnels.filter((t) => t.mcpUrl);
  return (
    <>
      <header className="page-head">
        <div>
          <h1>Integrations</h1>
          <p className="page-head__sub">
            Add a tunnel to OpenAI Codex: see the exact <code>[mcp_servers]</code> entry, then write it.
          </p>
        </div>
      </header>
      {usable.length === 0 ? (
        <div className="card empty">
          <p className="muted">
            No tunnel with an MCP URL here yet. Start the demo or a relay tunnel; OpenAI tunnels are added
            with <code>mcp-tunnel codex add --kind openai</code>.
          </p>
        </div>
      ) : (
        usable.map((t) => <CodexCard key={t.id} tunnel={t} />)
      )}
    </>
  );
}
