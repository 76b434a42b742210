import type { ReactNode } from 'react';
import type { Tone } from './format.js';

/** A small status pill; the dot is decorative, the text carries the meaning. */
export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge--${tone}`} title={title}>
      <span className="badge__dot" aria-hidden="true" />
      {children}
    </span>
  );
}
