/**
 * The poll loop: wait for free capacity, long-poll for at most that many commands (≤ 25), hand
 * every returned command to the dispatcher, repeat. Failed polls are retried with the schedule
 * in poll-failure.ts. Ends (resolves) when the signal aborts; an in-flight long poll is aborted
 * with it.
 */
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/clock.js';
import type { ControlPlaneClient, PollResult } from './control-plane/types.js';
import type { Dispatcher } from './dispatcher/types.js';
import { classifyPollError, pollRetryDelayMs, type PollFailure } from './poll-failure.js';

/** The control plane's upper bound for `limit`. */
export const MAX_POLL_LIMIT = 25;

export interface PollLoopOptions {
  client: Pick<ControlPlaneClient, 'poll'>;
  dispatcher: Pick<Dispatcher, 'waitForCapacity' | 'freeCapacity' | 'accept'>;
  /** CONTROL_PLANE_POLL_TIMEOUT, sent as `timeout_ms`. */
  pollTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** [0, 1), for backoff jitter. */
  random: () => number;
  signal: AbortSignal;
  /** A poll answered (200 or 204); called before its commands are dispatched. */
  onSuccess?: (result: PollResult) => void;
  /** A poll failed; the loop sleeps `retryInMs` before the next one. */
  onFailure?: (failure: PollFailure, consecutiveFailures: number, retryInMs: number) => void;
}

export async function runPollLoop(options: PollLoopOptions): Promise<void> {
  const { client, dispatcher, clock, logger, random, signal } = options;
  let failures = 0;
  while (!signal.aborted) {
    try {
      await dispatcher.waitForCapacity(signal);
    } catch {
      break; // aborted
    }
    const limit = Math.max(1, Math.min(MAX_POLL_LIMIT, dispatcher.freeCapacity()));
    let result: PollResult;
    try {
      result = await client.poll({ limit, timeoutMs: options.pollTimeoutMs, signal });
    } catch (error) {
      if (signal.aborted) break;
      failures++;
      const failure = classifyPollError(error);
      const retryInMs = pollRetryDelayMs(failure, failures, random);
      if (failure.kind === 'internal') {
        logger.error('poll failed unexpectedly (a bug in the control-plane client)', { error });
      }
      options.onFailure?.(failure, failures, retryInMs);
      try {
        await clock.sleep(retryInMs, signal);
      } catch {
        break; // aborted
      }
      continue;
    }
    failures = 0;
    options.onSuccess?.(result);
    for (const skipped of result.skipped) {
      logger.info('skipped a command of an unknown type', {
        command_type: skipped.commandType,
        request_id: skipped.requestId,
      });
    }
    for (const dropped of result.dropped) {
      logger.warn('dropped an invalid command', { reason: dropped.reason, request_id: dropped.requestId });
    }
    dispatcher.accept(result.commands, result.receivedAt);
  }
}
