/** Copies a value to the clipboard and says so, politely, to screen readers too. */
import { useEffect, useState } from 'react';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (status === 'idle') return;
    const t = setTimeout(() => setStatus('idle'), 1600);
    return () => clearTimeout(t);
  }, [status]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('copied');
    } catch {
      setStatus('failed');
    }
  };
  return (
    <button type="button" className="btn btn--small" onClick={() => void copy()} aria-label={`Copy ${label}`}>
      {status === 'copied' ? 'Copied' : status === 'failed' ? 'Copy failed' : 'Copy'}
      <span className="visually-hidden" role="status">
        {status === 'copied'
          ? `${label} copied`
          : status === 'failed'
            ? `Could not copy ${label}; select it and copy by hand`
            : ''}
      </span>
    </button>
  );
}
