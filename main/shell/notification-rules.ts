/**
 * Which tunnel changes deserve a desktop notification: only those the user must act on.
 *   key rejected      the tunnel enters auth_failed (once per entry into that state)
 *   server crashing   a channel enters `failed`, or its restarts reach `crashRestarts` since the
 *                     tunnel started (once per crossing; reset when the tunnel stops)
 * Everything else (starting, ready, degraded by a slow poll) stays in the tray and the logs.
 * Pure apart from the memory of what was already said; fed every TunnelSummary change.
 */
import type { TunnelSummary } from '../../preload/contract/dto.js';

export interface UserNotice {
  kind: 'auth_failed' | 'server_crashing';
  tunnelId: string;
  title: string;
  body: string;
}

export interface NotificationRulesOptions {
  /** Restarts of one channel that count as "keeps crashing" (default 3). */
  crashRestarts?: number;
}

interface Memory {
  kind: TunnelSummary['state']['kind'];
  /** Channels already reported as crashing. */
  crashing: Set<string>;
}

export class NotificationRules {
  readonly #memory = new Map<string, Memory>();
  readonly #crashRestarts: number;

  constructor(options: NotificationRulesOptions = {}) {
    this.#crashRestarts = options.crashRestarts ?? 3;
  }

  /** The notices this change calls for (usually none). */
  next(t: TunnelSummary): UserNotice[] {
    const before = this.#memory.get(t.id);
    const memory: Memory = { kind: t.state.kind, crashing: before?.crashing ?? new Set() };
    this.#memory.set(t.id, memory);
    const notices: UserNotice[] = [];
    if (t.state.kind === 'stopped') {
      memory.crashing.clear();
      return notices;
    }
    if (t.state.kind === 'auth_failed' && before?.kind !== 'auth_failed') {
      notices.push({
        kind: 'auth_failed',
        tunnelId: t.id,
        title: `${t.displayName}: key rejected`,
        body: sentence(t.state.reason, t.state.nextStep),
      });
    }
    for (const c of t.channels) {
      const crashing = c.state === 'failed' || c.restarts >= this.#crashRestarts;
      if (!crashing || memory.crashing.has(c.name)) continue;
      memory.crashing.add(c.name);
      notices.push({
        kind: 'server_crashing',
        tunnelId: t.id,
        title: `${t.displayName}: MCP server keeps crashing`,
        body: sentence(
          `'${c.name}' (${c.target}) restarted ${c.restarts} time${c.restarts === 1 ? '' : 's'}${c.lastError ? `: ${c.lastError}` : ''}`,
          'Open MCP Tunnel to see its log, or run the doctor.',
        ),
      });
    }
    return notices;
  }
}

function sentence(a: string, b: string): string {
  const first = a.trim().replace(/[.\s]*$/, '.');
  return b ? `${first} ${b.trim()}` : first;
}
