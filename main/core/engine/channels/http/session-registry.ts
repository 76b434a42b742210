/**
 * Distinct `Mcp-Session-Id` values seen on a channel and not yet terminated, for the snapshot
 * only (the channel never rewrites or invents sessions). Bounded: past `capacity` the oldest
 * entry is forgotten, so a server minting ids without ever ending them cannot grow memory.
 */
export class SessionRegistry {
  readonly #ids = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 1024) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#ids.size;
  }

  seen(id: string): void {
    if (this.#ids.has(id)) return;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }

  ended(id: string): void {
    this.#ids.delete(id);
  }

  clear(): void {
    this.#ids.clear();
  }
}
