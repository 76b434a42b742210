/**
 * New tunnel: where it goes → key → MCP server → advanced → review, then save and start. Every
 * field is checked as you type (profiles.validate, debounced; the command's executable via
 * probe.command); the URL gets a live initialize on request.
 */
import { useEffect } from 'react';
import type { ValidationIssue } from '../../../preload/contract/index.js';
import { useSlice, useStores } from '../../store/stores-context.js';
import { WIZARD_STEPS, parseHeaders, type CheckState, type WizardStep } from '../../store/wizard-slice.js';
import { Badge } from '../../ui/badge.js';
import { Choice, TextField } from './wizard-fields.js';

const STEP_LABEL: Record<WizardStep, string> = {
  destination: 'Where it goes',
  key: 'Key',
  server: 'MCP server',
  advanced: 'Advanced',
  review: 'Review',
};

/** The first issue whose path starts with one of the prefixes. */
function problem(issues: ValidationIssue[], ...prefixes: string[]): string | undefined {
  return issues.find((i) =>
    prefixes.some((p) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)),
  )?.message;
}

function CheckLine({ check, label }: { check: CheckState; label: string }) {
  if (check.state === 'idle') return null;
  const done = 'message' in check ? check : undefined;
  return (
    <p className="wizard__check" role="status" aria-label={label}>
      {done ? (
        <>
          <Badge tone={done.state === 'ok' ? 'ok' : 'bad'}>{done.state === 'ok' ? 'ok' : 'problem'}</Badge>{' '}
          {done.message}
        </>
      ) : (
        <Badge tone="busy">checking</Badge>
      )}
    </p>
  );
}

export function WizardPage() {
  const wizard = useStores().wizard;
  const { setStep, update, validate, checkCommand, probeUrl, save, reset } = wizard.getState();
  const step = useSlice('wizard', (s) => s.step);
  const form = useSlice('wizard', (s) => s.form);
  const issues = useSlice('wizard', (s) => s.issues);
  const commandCheck = useSlice('wizard', (s) => s.commandCheck);
  const urlProbe = useSlice('wizard', (s) => s.urlProbe);
  const saving = useSlice('wizard', (s) => s.saving);
  const saved = useSlice('wizard', (s) => s.saved);
  const doctor = useSlice('wizard', (s) => s.doctor);
  const doctorRunning = useSlice('wizard', (s) => s.doctorRunning);
  const error = useSlice('wizard', (s) => s.error);

  useEffect(() => {
    if (saved) return;
    const t = setTimeout(() => void validate(), 250);
    return () => clearTimeout(t);
  }, [form, saved, validate]);
  useEffect(() => {
    if (form.serverKind !== 'command') return;
    const t = setTimeout(() => void checkCommand(), 400);
    return () => clearTimeout(t);
  }, [form.command, form.serverKind, checkCommand]);

  const index = WIZARD_STEPS.indexOf(step);
  const own = form.connection !== 'demo';
  const badHeaders = parseHeaders(form.headers).bad;

  return (
    <>
      <header className="page-head">
        <div>
          <h1>New tunnel</h1>
          <p className="page-head__sub">
            Create a profile for an MCP server, check it, and start its tunnel. Keys go to the OS keychain.
          </p>
        </div>
      </header>
      <nav aria-label="Wizard steps">
        <ol className="wizard__steps">
          {WIZARD_STEPS.map((s, i) => (
            <li key={s}>
              <button
                type="button"
                className={`btn btn--small${s === step ? ' btn--primary' : ' btn--ghost'}`}
                aria-current={s === step ? 'step' : undefined}
                onClick={() => setStep(s)}
              >
                {i + 1}. {STEP_LABEL[s]}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section className="card wizard" aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" className="card__title">
          {STEP_LABEL[step]}
        </h2>
        {step === 'destination' && (
          <div className="stack">
            <Choice
              legend="Where should MCP clients reach this server from?"
              name="connection"
              value={form.connection}
              onChange={(connection) => update({ connection })}
              options={[
                {
                  value: 'openai',
                  label: 'OpenAI',
                  detail: 'ChatGPT / the Responses API through OpenAI’s tunnel service',
                },
                { value: 'relay', label: 'Self-hosted relay', detail: 'your own MCP Tunnel relay' },
                {
                  value: 'demo',
                  label: 'Local demo',
                  detail: 'the embedded relay on this machine, no account',
                },
              ]}
            />
            <TextField
              label="Profile name"
              value={form.name}
              onChange={(name) => update({ name })}
              placeholder="work-files"
              hint="Letters, digits, '.', '_' or '-'; it names the file and the tunnel."
              problem={problem(issues, 'name')}
            />
            <TextField
              label="Display name (optional)"
              value={form.displayName}
              onChange={(displayName) => update({ displayName })}
              problem={problem(issues, 'mcp_tunnel.display_name')}
            />
            {own ? (
              <TextField
                label="Tunnel id"
                value={form.tunnelId}
                onChange={(tunnelId) => update({ tunnelId })}
                placeholder="tunnel_…"
                hint={
                  form.connection === 'openai'
                    ? 'Copy it from the tunnel settings page.'
                    : 'From `mcp-tunnel relay tunnels create`.'
                }
                problem={problem(issues, 'control_plane.tunnel_id')}
              />
            ) : null}
            {form.connection === 'relay' ? (
              <TextField
                label="Relay URL"
                type="url"
                value={form.baseUrl}
                onChange={(baseUrl) => update({ baseUrl })}
                placeholder="https://relay.example.com"
                problem={problem(issues, 'control_plane.base_url', 'control_plane.url_path')}
              />
            ) : null}
            <label className="check">
              <input
                type="checkbox"
                checked={form.autostart}
                onChange={(e) => update({ autostart: e.target.checked })}
              />{' '}
              Start with MCP Tunnel
            </label>
          </div>
        )}
        {step === 'key' && (
          <div className="stack">
            {own ? (
              <TextField
                label="Runtime API key"
                type="password"
                autoComplete="new-password"
                value={form.apiKey}
                onChange={(apiKey) => update({ apiKey })}
                hint="Stored in the OS keychain when you save, never shown again. Or enter a reference: env:NAME or file:/path."
                problem={problem(issues, 'control_plane.api_key')}
              />
            ) : (
              <p className="muted">The local demo needs no key: the embedded relay issues its own.</p>
            )}
          </div>
        )}
        {step === 'server' && (
          <div className="stack">
            <Choice
              legend="How is the MCP server reached?"
              name="server-kind"
              value={form.serverKind}
              onChange={(serverKind) => update({ serverKind })}
              options={[
                { value: 'command', label: 'Command', detail: 'started by MCP Tunnel, over stdio' },
                { value: 'url', label: 'URL', detail: 'a running Streamable HTTP server' },
              ]}
            />
            {form.serverKind === 'command' ? (
              <>
                <TextField
                  label="Command"
                  value={form.command}
                  onChange={(command) => update({ command })}
                  placeholder="npx -y @modelcontextprotocol/server-everything"
                  hint="Split like a shell would, but never run through one."
                  problem={problem(issues, 'mcp.commands', 'mcp')}
                />
                <CheckLine check={commandCheck} label="Executable check" />
              </>
            ) : (
              <>
                <TextField
                  label="Server URL"
                  type="url"
                  value={form.url}
                  onChange={(url) => update({ url })}
                  placeholder="http://127.0.0.1:3000/mcp"
                  problem={problem(issues, 'mcp.server_urls', 'mcp')}
                />
                <div className="toolbar">
                  <button
                    type="button"
                    className="btn"
                    onClick={() => void probeUrl()}
                    disabled={!form.url.trim() || urlProbe.state === 'checking'}
                  >
                    Test connection
                  </button>
                </div>
                <CheckLine check={urlProbe} label="Connection test" />
              </>
            )}
          </div>
        )}
        {step === 'advanced' && (
          <div className="stack">
            {form.serverKind === 'url' ? (
              <TextField
                label="Headers for the MCP server"
                multiline
                value={form.headers}
                onChange={(headers) => update({ headers })}
                placeholder="X-Team: tools"
                hint="One Name: value per line. Secret values must be references (env:NAME, file:/path)."
                problem={
                  badHeaders.length
                    ? `Write each line as Name: value (check '${badHeaders[0]}').`
                    : problem(issues, 'mcp.server_urls[0].extra_headers')
                }
              />
            ) : null}
            <TextField
              label="Proxy URL"
              type="url"
              value={form.proxyUrl}
              onChange={(proxyUrl) => update({ proxyUrl })}
              placeholder="http://proxy.internal:8080"
              problem={problem(issues, 'http_proxy')}
            />
            <TextField
              label="CA bundle (path to PEM)"
              value={form.caBundlePath}
              onChange={(caBundlePath) => update({ caBundlePath })}
              problem={problem(issues, 'ca_bundle')}
            />
            <TextField
              label="Client certificate (path to PEM)"
              value={form.clientCertPath}
              onChange={(clientCertPath) => update({ clientCertPath })}
              problem={problem(issues, 'control_plane.client_cert')}
            />
            <TextField
              label="Client private key"
              multiline
              value={form.clientKey}
              onChange={(clientKey) => update({ clientKey })}
              hint="Paste the PEM (stored in the keychain) or enter a reference. Set certificate and key together."
              problem={problem(issues, 'control_plane.client_key')}
            />
          </div>
        )}
        {step === 'review' && (
          <div className="stack">
            {issues.length ? (
              <div className="alert alert--warn" role="status">
                <strong>Fix these before saving:</strong>
                <ul>
                  {issues.map((i) => (
                    <li key={`${i.path}:${i.message}`}>
                      {i.path ? <span className="mono">{i.path}</span> : null} {i.message}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p role="status">Everything checks out. Saving writes the profile and starts its tunnel.</p>
            )}
            <dl className="kv kv--compact">
              <div className="kv__row">
                <dt>Profile</dt>
                <dd className="mono">{form.name || '—'}</dd>
              </div>
              <div className="kv__row">
                <dt>Goes to</dt>
                <dd>{form.connection}</dd>
              </div>
              <div className="kv__row">
                <dt>Server</dt>
                <dd className="mono">{form.serverKind === 'command' ? form.command : form.url}</dd>
              </div>
              <div className="kv__row">
                <dt>Key</dt>
                <dd>
                  {own
                    ? form.apiKey
                      ? 'entered (goes to the keychain)'
                      : 'from CONTROL_PLANE_API_KEY'
                    : 'not needed'}
                </dd>
              </div>
            </dl>
            {error ? (
              <div className="alert alert--bad" role="alert">
                {error.message}
              </div>
            ) : null}
            {saved ? (
              <div className="alert alert--info" role="status">
                Saved profile <span className="mono">{saved.name}</span> and started its tunnel. Follow it on
                the <a href="#/overview">Overview</a>.
              </div>
            ) : null}
            {doctorRunning ? <p role="status">Running doctor for the new profile…</p> : null}
            {doctor ? (
              <section aria-labelledby="wizard-doctor-title">
                <h3 id="wizard-doctor-title" className="section-title">
                  Doctor · {doctor.ok ? 'all checks passed' : 'some checks need attention'}
                </h3>
                <ul className="checks">
                  {doctor.checks.map((c) => (
                    <li key={c.id} className="check-item">
                      <Badge
                        tone={
                          c.status === 'pass'
                            ? 'ok'
                            : c.status === 'fail'
                              ? 'bad'
                              : c.status === 'warn'
                                ? 'warn'
                                : 'idle'
                        }
                      >
                        {c.status}
                      </Badge>
                      <div>
                        <p className="check-item__summary">{c.summary}</p>
                        {c.nextStep ? <p className="muted">{c.nextStep}</p> : null}
                      </div>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
          </div>
        )}
        <div className="toolbar wizard__nav">
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => setStep(WIZARD_STEPS[index - 1] ?? step)}
            disabled={index === 0}
          >
            Back
          </button>
          <span className="toolbar__spacer" />
          {saved ? (
            <button type="button" className="btn" onClick={reset}>
              Create another
            </button>
          ) : step === 'review' ? (
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => void save()}
              disabled={saving || issues.length > 0}
            >
              {saving ? 'Saving…' : 'Save and start'}
            </button>
          ) : (
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => setStep(WIZARD_STEPS[index + 1] ?? step)}
            >
              Next
            </button>
          )}
        </div>
      </section>
    </>
  );
}
