/**
 * Waiting for a channel call without trusting it to honour its abort signal: the wait ends as
 * soon as the signal aborts, whatever the channel does afterwards (its late result or rejection
 * is swallowed). A channel that throws is a bug and is reported as `threw`.
 */
import type { ChannelOutcome } from '../channels/channel.js';

export type ChannelCallResult =
  { kind: 'outcome'; outcome: ChannelOutcome } | { kind: 'threw'; error: unknown } | { kind: 'aborted' };

const ABORTED: ChannelCallResult = { kind: 'aborted' };

export function awaitChannelCall(
  call: () => Promise<ChannelOutcome>,
  signal: AbortSignal,
): Promise<ChannelCallResult> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  let pending: Promise<ChannelOutcome>;
  try {
    pending = call();
  } catch (error) {
    return Promise.resolve({ kind: 'threw', error });
  }
  return new Promise<ChannelCallResult>((resolve) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(signal.aborted ? ABORTED : { kind: 'outcome', outcome });
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        resolve(signal.aborted ? ABORTED : { kind: 'threw', error });
      },
    );
  });
}
