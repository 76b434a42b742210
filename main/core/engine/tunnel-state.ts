/**
 * The tunnel's state machine. Every state carries words for the operator: `reason` (what is
 * going on) and `nextStep` (what to do about it), and `since` (wall-clock ms of the change).
 *
 *              start()
 *   stopped ───────────▶ starting ──────────▶ ready ◀────────▶ degraded
 *      ▲                  │  │  │              │  ▲              │  ▲
 *      │                  │  │  └─▶ degraded   │  │              │  │
 *      │                  │  │                 ▼  │              ▼  │
 *      │                  │  └──────────────▶ auth_failed ◀──────────┘
 *      │                  │                   (401/403: slow retry; recovers by itself
 *      │                  ▼                    to ready or degraded when a poll succeeds)
 *      │                error  (unrecoverable configuration error; needs a new start)
 *      │
 *   stopping ◀──stop()── any state but stopped
 *
 * - ready: the control plane answers (the last poll, or the start-up probe before the first
 *   poll returns) and every channel is ready.
 * - degraded: polls fail (network, 5xx, 429, other 4xx, undecodable answers; retried with
 *   backoff) or a channel is not ready (it keeps retrying by itself).
 * - degraded and auth_failed may also move to themselves when their reason changes.
 */
import type { ChannelSnapshot } from './channels/channel.js';
import type { PollFailure } from './poll-failure.js';

export type TunnelStateKind =
  'stopped' | 'starting' | 'ready' | 'degraded' | 'auth_failed' | 'error' | 'stopping';

interface StateWords {
  /** What is going on, in words for the operator. */
  reason: string;
  /** What the operator can do about it. */
  nextStep: string;
}

interface StateBase extends StateWords {
  /** Wall-clock ms when this state was entered. */
  since: number;
}

export type TunnelState =
  | (StateBase & { kind: 'stopped' })
  | (StateBase & { kind: 'starting' })
  | (StateBase & { kind: 'ready' })
  | (StateBase & { kind: 'degraded'; cause: 'control_plane' | 'channel' })
  | (StateBase & { kind: 'auth_failed'; status?: number; apiCode?: string; retryInMs: number })
  | (StateBase & { kind: 'error' })
  | (StateBase & { kind: 'stopping' });

/** A state before it is entered (the tunnel stamps `since`). */
export type TunnelStateChange = TunnelState extends infer S
  ? S extends TunnelState
    ? Omit<S, 'since'>
    : never
  : never;

const LEGAL: Readonly<Record<TunnelStateKind, readonly TunnelStateKind[]>> = {
  stopped: ['starting'],
  starting: ['ready', 'degraded', 'auth_failed', 'error', 'stopping'],
  ready: ['degraded', 'auth_failed', 'stopping'],
  degraded: ['ready', 'degraded', 'auth_failed', 'stopping'],
  auth_failed: ['ready', 'degraded', 'auth_failed', 'stopping'],
  error: ['stopping'],
  stopping: ['stopped'],
};

export function canTransition(from: TunnelStateKind, to: TunnelStateKind): boolean {
  return LEGAL[from].includes(to);
}

export const STOPPED_WORDS: StateWords = {
  reason: 'the tunnel is not running',
  nextStep: 'Start the tunnel.',
};
export const STARTING_WORDS: StateWords = {
  reason: 'starting the MCP channels and connecting to the control plane',
  nextStep: 'Wait a few seconds.',
};
export const STOPPING_WORDS: StateWords = {
  reason: 'cancelling commands in flight and closing the MCP channels',
  nextStep: 'Wait a moment.',
};

function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

function httpDetail(failure: PollFailure): string {
  const parts: string[] = [];
  if (failure.status !== undefined) parts.push(`HTTP ${failure.status}`);
  if (failure.apiCode !== undefined) parts.push(failure.apiCode);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The state a failed poll leads to. */
export function pollFailureState(failure: PollFailure, retryInMs: number): TunnelStateChange {
  const retry = `the tunnel retries in ${seconds(retryInMs)}`;
  switch (failure.kind) {
    case 'auth':
      return {
        kind: 'auth_failed',
        ...(failure.status !== undefined && { status: failure.status }),
        ...(failure.apiCode !== undefined && { apiCode: failure.apiCode }),
        retryInMs,
        reason: `control plane rejected the runtime API key${httpDetail(failure)}`,
        nextStep: `Check the key in the keychain or CONTROL_PLANE_API_KEY and that it may use this tunnel; ${retry}.`,
      };
    case 'rate_limited':
      return {
        kind: 'degraded',
        cause: 'control_plane',
        reason: `control plane is rate limiting polls${httpDetail(failure)}`,
        nextStep: `Nothing to do unless it persists; ${retry}.`,
      };
    case 'unavailable':
      return {
        kind: 'degraded',
        cause: 'control_plane',
        reason: `control plane is unavailable${httpDetail(failure)}`,
        nextStep: `Usually temporary; ${retry}.`,
      };
    case 'bad_request':
      return {
        kind: 'degraded',
        cause: 'control_plane',
        reason: `control plane refused the poll${httpDetail(failure)}`,
        nextStep: `Check CONTROL_PLANE_TUNNEL_ID, CONTROL_PLANE_BASE_URL and CONTROL_PLANE_URL_PATH; ${retry}.`,
      };
    case 'network':
      return {
        kind: 'degraded',
        cause: 'control_plane',
        reason: 'cannot reach the control plane (network error)',
        nextStep: `Check the network, proxy, CA bundle and CONTROL_PLANE_BASE_URL; ${retry}.`,
      };
    case 'protocol':
      return {
        kind: 'degraded',
        cause: 'control_plane',
        reason: 'control plane sent an answer the engine cannot decode',
        nextStep: `Check that CONTROL_PLANE_BASE_URL points at a tunnel control plane; ${retry}.`,
      };
    case 'internal':
      return {
        kind: 'degraded',
        cause: 'control_plane',
        reason: 'polling failed because of an internal error',
        nextStep: `See the log and report it with a support bundle; ${retry}.`,
      };
  }
}

/**
 * The state the channels lead to when the control plane answers: ready, or degraded naming the
 * first channel that is not ready. `startErrors` holds why a channel failed to start, used when
 * its snapshot has no `lastError`.
 */
export function channelsState(
  channels: readonly ChannelSnapshot[],
  startErrors: ReadonlyMap<string, string>,
): TunnelStateChange {
  const notReady = channels.filter((c) => c.state !== 'ready');
  const first = notReady[0];
  if (!first) {
    const names = channels.map((c) => c.name).join(', ');
    return {
      kind: 'ready',
      reason: `polling the control plane; channels ready: ${names}`,
      nextStep: 'Nothing to do.',
    };
  }
  const why = first.lastError ?? startErrors.get(first.name);
  const more = notReady.length > 1 ? ` (and ${notReady.length - 1} more)` : '';
  return {
    kind: 'degraded',
    cause: 'channel',
    reason: `channel "${first.name}" is ${first.state}${why ? `: ${why}` : ''}${more}`,
    nextStep:
      first.transport === 'stdio'
        ? 'The channel restarts by itself; check its command (MCP_COMMAND) and the log.'
        : 'The channel retries by itself; check its URL (MCP_SERVER_URL) and the log.',
  };
}

/** Whether entering `next` from `current` would change anything the operator sees. */
export function sameState(current: TunnelState, next: TunnelStateChange): boolean {
  return current.kind === next.kind && current.reason === next.reason && current.nextStep === next.nextStep;
}
