/**
 * Sessions minted by one channel instance. A stdio or in-memory MCP server has no HTTP session,
 * but the relay pins sessions to the engine that answered `initialize`, so the channel mints one
 * per successful initialize and later recognises it (an unknown id means "engine restarted,
 * re-initialize"). Bounded LRU: the least recently used session is forgotten first.
 */
import { randomBytes } from 'node:crypto';

export const DEFAULT_MAX_SESSIONS = 10_000;

export class SessionTable {
  readonly #max: number;
  /** Insertion order of a Map is the LRU order: oldest first. */
  readonly #sessions = new Map<string, true>();

  constructor(max = DEFAULT_MAX_SESSIONS) {
    this.#max = Math.max(1, max);
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A new crypto-random session id (32 lowercase hex, visible ASCII). */
  mint(): string {
    const id = randomBytes(16).toString('hex');
    this.#sessions.set(id, true);
    if (this.#sessions.size > this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    return id;
  }

  /** True when this table minted `id` and still remembers it; marks it most recently used. */
  touch(id: string): boolean {
    if (!this.#sessions.delete(id)) return false;
    this.#sessions.set(id, true);
    return true;
  }
}
