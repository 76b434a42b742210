/** Errors by kind since start, as proportional bars (biggest first). */
import { formatCount } from '../../ui/format.js';

export function ErrorsByKind({ errors }: { errors: Record<string, number> }) {
  const rows = Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const max = rows[0]?.[1] ?? 0;
  return (
    <section className="card" aria-labelledby="errors-by-kind-title">
      <h2 id="errors-by-kind-title" className="card__title">
        Errors by kind
      </h2>
      {rows.length === 0 ? (
        <p className="muted">No errors since the daemon started.</p>
      ) : (
        <ul className="bars" data-testid="errors-by-kind">
          {rows.map(([kind, n]) => (
            <li key={kind} className="bars__row">
              <span className="bars__label mono">{kind}</span>
              <span className="bars__track" aria-hidden="true">
                <span className="bars__fill" style={{ width: `${(n / max) * 100}%` }} />
              </span>
              <span className="bars__value">{formatCount(n)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
