/**
 * Prometheus counters exported from totals that can go back to zero: a Tunnel object counts
 * from zero, and restarting a profile builds a new Tunnel. For each (tunnel, series) we keep
 * the last raw total seen and an offset; the exported value is `offset + raw`. When the raw
 * total drops (or the caller says the tunnel instance changed), the previous raw total is
 * folded into the offset, so the exported counter never decreases.
 *
 * Limits, by design: increments made by an old instance after our last look at it are lost
 * (we only see totals at scrape time), and when no instance identity is given, a restart whose
 * new total has already overtaken the old one by the next scrape goes unnoticed (the counter
 * still never decreases; it just undercounts). Series of a tunnel stay exported (at their
 * offset) when a new instance has not counted them yet, so a series never disappears and
 * comes back lower.
 */

interface Track {
  labels: Record<string, string>;
  offset: number;
  last: number;
}

interface TunnelTracks {
  instance: unknown;
  tracks: Map<string, Track>;
}

export interface CounterReading {
  /** Counter name plus the label values that tell series apart (e.g. `poll_errors|network`). */
  key: string;
  /** The series' labels, `tunnel` included. */
  labels: Record<string, string>;
  raw: number;
}

export class MonotonicTotals {
  readonly #tunnels = new Map<string, TunnelTracks>();

  /**
   * Take one tunnel's current raw totals. `instance` identifies the object that counts (the
   * Tunnel), when known: a new instance means every series restarted from zero.
   */
  update(tunnelId: string, instance: unknown, readings: Iterable<CounterReading>): void {
    let tunnel = this.#tunnels.get(tunnelId);
    if (!tunnel) {
      tunnel = { instance, tracks: new Map() };
      this.#tunnels.set(tunnelId, tunnel);
    } else if (instance !== undefined) {
      // A different instance restarted every series; a first-known instance only is adopted.
      if (tunnel.instance !== undefined && instance !== tunnel.instance) {
        for (const track of tunnel.tracks.values()) {
          track.offset += track.last;
          track.last = 0;
        }
      }
      tunnel.instance = instance;
    }
    const seen = new Set<string>();
    for (const reading of readings) {
      seen.add(reading.key);
      const raw = Number.isFinite(reading.raw) && reading.raw > 0 ? reading.raw : 0;
      const track = tunnel.tracks.get(reading.key);
      if (!track) {
        tunnel.tracks.set(reading.key, { labels: reading.labels, offset: 0, last: raw });
        continue;
      }
      if (raw < track.last) track.offset += track.last;
      track.last = raw;
    }
    // A series the current instance no longer reports restarted at zero.
    for (const [key, track] of tunnel.tracks) {
      if (!seen.has(key) && track.last > 0) {
        track.offset += track.last;
        track.last = 0;
      }
    }
  }

  /** Every tracked series whose key starts with `prefix`, with its exported value. */
  *values(prefix: string): Iterable<{ labels: Record<string, string>; value: number }> {
    for (const tunnel of this.#tunnels.values()) {
      for (const [key, track] of tunnel.tracks) {
        if (key.startsWith(prefix)) yield { labels: track.labels, value: track.offset + track.last };
      }
    }
  }
}
