/** Doctor: runs the daemon's checks and shows each with why it matters and what to do next. */
import type { CheckStatus } from '../../../preload/contract/index.js';
import { useSlice, useStores } from '../../store/stores-context.js';
import { Badge } from '../../ui/badge.js';
import type { Tone } from '../../ui/format.js';

const TONE: Record<CheckStatus, Tone> = { pass: 'ok', warn: 'warn', fail: 'bad', skip: 'idle' };

export function DoctorPage() {
  const run = useStores().doctor.getState().run;
  const running = useSlice('doctor', (s) => s.running);
  const report = useSlice('doctor', (s) => s.report);
  const error = useSlice('doctor', (s) => s.error);

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Doctor</h1>
          <p className="page-head__sub">
            Checks the configuration, keys, network path and MCP servers, and says what to fix.
          </p>
        </div>
        <button type="button" className="btn btn--primary" onClick={() => void run()} disabled={running}>
          {running ? 'Running checks…' : report ? 'Run again' : 'Run checks'}
        </button>
      </header>
      {error?.code === 'unavailable' ? (
        <div className="card empty" role="status">
          <h2>Doctor is not available in this daemon</h2>
          <p>{error.message}</p>
          <p>
            The same checks run from a terminal: <code>mcp-tunnel doctor</code>.
          </p>
        </div>
      ) : error ? (
        <div className="alert alert--bad" role="alert">
          {error.message}
        </div>
      ) : null}
      {report ? (
        <section className="card" aria-labelledby="doctor-result-title">
          <h2 id="doctor-result-title" className="card__title">
            {report.ok ? 'All checks passed' : 'Some checks need attention'} · profile{' '}
            <span className="mono">{report.profile}</span>
          </h2>
          <ul className="checks">
            {report.checks.map((c) => (
              <li key={c.id} className={`check-item check-item--${TONE[c.status]}`}>
                <Badge tone={TONE[c.status]}>{c.status}</Badge>
                <div>
                  <p className="check-item__summary">{c.summary}</p>
                  {c.why ? <p className="muted">{c.why}</p> : null}
                  {c.evidence ? <pre className="evidence">{c.evidence}</pre> : null}
                  {c.nextStep ? (
                    <p className="state__next">
                      <span className="state__next-label">Next step</span> {c.nextStep}
                    </p>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        </section>
      ) : !error ? (
        <div className="card empty">
          <p className="muted">Run the checks to see how this installation is doing.</p>
        </div>
      ) : null}
    </>
  );
}
