/** Support bundle: choose a window, see what goes in, create and save the archive. */
import { BUNDLE_CONTENTS, BUNDLE_WINDOWS } from '../../store/bundle-slice.js';
import { useSlice, useStores } from '../../store/stores-context.js';
import { formatBytes, formatClock } from '../../ui/format.js';

export function BundlePage() {
  const { setWindow, create } = useStores().bundle.getState();
  const windowMinutes = useSlice('bundle', (s) => s.windowMinutes);
  const creating = useSlice('bundle', (s) => s.creating);
  const result = useSlice('bundle', (s) => s.result);
  const savedAt = useSlice('bundle', (s) => s.savedAt);
  const error = useSlice('bundle', (s) => s.error);
  const total = result?.files.reduce((n, f) => n + f.bytes, 0) ?? 0;

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Support bundle</h1>
          <p className="page-head__sub">
            One archive with what is needed to diagnose a problem. Secrets are redacted; read it before you
            share it.
          </p>
        </div>
      </header>
      <div className="bundle-grid">
        <section className="card" aria-labelledby="bundle-window-title">
          <h2 id="bundle-window-title" className="card__title">
            Time window
          </h2>
          <fieldset className="segmented">
            <legend className="visually-hidden">Include logs from</legend>
            {BUNDLE_WINDOWS.map((w) => (
              <label
                key={w.minutes}
                className={`segmented__option${windowMinutes === w.minutes ? ' is-checked' : ''}`}
              >
                <input
                  type="radio"
                  name="bundle-window"
                  value={w.minutes}
                  checked={windowMinutes === w.minutes}
                  onChange={() => setWindow(w.minutes)}
                />
                {w.label}
              </label>
            ))}
          </fieldset>
          <h2 className="card__title card__title--spaced">Export</h2>
          <button
            type="button"
            className="btn btn--primary btn--large"
            onClick={() => void create()}
            disabled={creating}
          >
            {creating ? 'Creating…' : 'Create and download'}
          </button>
          <p className="bundle__status" role="status">
            {result && savedAt ? (
              <>
                Saved <span className="mono">{result.fileName}</span>
                <br />
                {result.files.length} files, {formatBytes(total)}, at {formatClock(savedAt, false)}
              </>
            ) : null}
          </p>
          {error ? (
            <div className="alert alert--bad" role="alert">
              {error}
            </div>
          ) : null}
        </section>
        <section className="card" aria-labelledby="bundle-contents-title">
          <h2 id="bundle-contents-title" className="card__title">
            {result ? 'What the last bundle contains' : 'What will be included'}
          </h2>
          <ul className="files" data-testid="bundle-files">
            {result
              ? result.files.map((f) => (
                  <li key={f.name} className="files__row">
                    <span className="mono files__name">{f.name}</span>
                    <span className="files__desc">{f.description}</span>
                    <span className="files__size">{formatBytes(f.bytes)}</span>
                  </li>
                ))
              : BUNDLE_CONTENTS.map((f) => (
                  <li key={f.name} className="files__row">
                    <span className="mono files__name">{f.name}</span>
                    <span className="files__desc">{f.description}</span>
                  </li>
                ))}
          </ul>
          <p className="note">
            Never included: API keys, connector tokens, Authorization headers, cookies, request and response
            bodies.
          </p>
        </section>
      </div>
    </>
  );
}
