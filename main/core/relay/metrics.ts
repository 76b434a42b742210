/**
 * Relay metrics on a prom-client registry of its own (never the global one, so several relays
 * and the app's own metrics coexist in one process). Gauges are computed at scrape time from
 * live state; the hot path only increments a counter and observes a histogram.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface RelayGaugeSource {
  commandsQueued(): number;
  pollersWaiting(): number;
  clientsConnected(): number;
}

export interface RelayMetrics {
  readonly registry: Registry;
  readonly frontDoorRequests: Counter<'code'>;
  readonly commandLatency: Histogram;
  /** Prometheus text exposition. */
  text(): Promise<string>;
  /** Connect the scrape-time gauges to live state (once the relay exists). */
  bind(source: RelayGaugeSource): void;
}

export function createRelayMetrics(): RelayMetrics {
  const registry = new Registry();
  let source: RelayGaugeSource | undefined;
  const frontDoorRequests = new Counter({
    name: 'relay_frontdoor_requests_total',
    help: 'MCP front-door requests answered, by HTTP status.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const commandLatency = new Histogram({
    name: 'relay_command_latency_seconds',
    help: 'Time from queuing a command to its terminal response.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: (s: RelayGaugeSource) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(source ? read(source) : 0);
      },
    });
  };
  gauge('relay_commands_queued', 'Commands waiting for a poll, all tunnels.', (s) => s.commandsQueued());
  gauge('relay_pollers_waiting', 'Long polls being held, all tunnels.', (s) => s.pollersWaiting());
  gauge('relay_clients_connected', 'Tunnel client instances that polled recently.', (s) =>
    s.clientsConnected(),
  );
  return {
    registry,
    frontDoorRequests,
    commandLatency,
    text: () => registry.metrics(),
    bind: (s) => {
      source = s;
    },
  };
}
