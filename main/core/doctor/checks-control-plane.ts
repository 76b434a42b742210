/**
 * The control-plane checks, with the real runtime key (the reference client never contacts the
 * control plane in its doctor):
 *
 *   control_plane_metadata  GET /v1/tunnels/{id}: the key may use the tunnel; shows its name
 *   control_plane_poll      one short poll (limit=1, timeout_ms ≈ 1 s): the poll route accepts
 *                           this key and client, exactly as `run` will use it
 *
 * The poll is real: when a caller is waiting on the tunnel, the control plane may hand the
 * doctor a command. It is never dropped silently: the doctor answers it at once with a
 * retryable 503 (-32603, tunnel_failure source `client_internal`), so the caller retries
 * instead of hanging until its timeout, and the check warns about it. `poll: false`
 * (`mcp-tunnel doctor --no-poll`) skips the poll, e.g. while the tunnel is running in production.
 */
import type { ChannelOutcome } from '../engine/channels/channel.js';
import type { TunnelConfig } from '../engine/config.js';
import { controlPlaneClientFor } from '../engine/build-tunnel.js';
import type { HttpControlPlaneClient } from '../engine/control-plane/http-client.js';
import { ControlPlaneError } from '../engine/control-plane/errors.js';
import { terminalPayload } from '../engine/dispatcher/response-payloads.js';
import type { Logger } from '../observability/logger.js';
import { check, CHECK_IDS, skipped, type DoctorCheck } from './doctor-check.js';
import { adviceFor } from './error-advice.js';

export interface ControlPlaneCheckOptions {
  config: TunnelConfig;
  /** Bound on the metadata request and on the poll beyond its own timeout. */
  timeoutMs: number;
  /** timeout_ms of the poll (default 1000). */
  pollTimeoutMs?: number;
  /** Default true. */
  poll?: boolean;
  logger: Logger;
  signal?: AbortSignal;
}

/** How the doctor answers a command it polled: the caller should retry (with the running tunnel). */
const DOCTOR_TOOK_COMMAND: Extract<ChannelOutcome, { kind: 'failure' }> = {
  kind: 'failure',
  status: 503,
  reason: 'Service Unavailable',
  failure: { version: 1, source: 'client_internal', upstream_response_received: false },
};

export async function controlPlaneChecks(options: ControlPlaneCheckOptions): Promise<DoctorCheck[]> {
  const cp = options.config.controlPlane;
  if (!cp.tunnelId) {
    const reason =
      'Demo profile: the embedded relay is started by `mcp-tunnel run`, so there is no control plane to contact yet.';
    return [skipped(CHECK_IDS.metadata, reason), skipped(CHECK_IDS.poll, reason)];
  }
  let client: HttpControlPlaneClient;
  try {
    client = controlPlaneClientFor(
      options.config,
      options.config.channels.map((c) => ({ name: c.name, procAffinity: c.kind === 'stdio' })),
      { logger: options.logger, pollGraceMs: options.timeoutMs, respondTimeoutMs: options.timeoutMs },
    );
  } catch (err) {
    const advice = adviceFor(err, { operation: 'getTunnel', request: 'none (client not created)' });
    return [
      check(CHECK_IDS.metadata, 'fail', advice.summary, advice),
      skipped(
        CHECK_IDS.poll,
        'Skipped: the control-plane client could not be set up (see control_plane_metadata).',
      ),
    ];
  }
  try {
    const viaProxy = cp.proxyUrl ? ' (through the configured proxy)' : '';
    const metadata = await metadataCheck(client, options, viaProxy);
    if (options.poll === false) {
      return [metadata.check, skipped(CHECK_IDS.poll, 'Skipped on request (--no-poll): no poll was made.')];
    }
    if (metadata.networkFailure) {
      return [
        metadata.check,
        skipped(CHECK_IDS.poll, 'Skipped: the control plane is not reachable (see control_plane_metadata).'),
      ];
    }
    return [metadata.check, await pollCheck(client, options, viaProxy)];
  } finally {
    await client.close();
  }
}

async function metadataCheck(
  client: HttpControlPlaneClient,
  options: ControlPlaneCheckOptions,
  viaProxy: string,
): Promise<{ check: DoctorCheck; networkFailure: boolean }> {
  const request = `GET ${client.endpoints.origin}${client.endpoints.tunnelPath}${viaProxy}`;
  try {
    const tunnel = await client.getTunnel(bounded(options.timeoutMs, options.signal));
    const name = tunnel.name || '(no name)';
    return {
      networkFailure: false,
      check: check(
        CHECK_IDS.metadata,
        'pass',
        `The control plane knows tunnel '${name}' and accepts the runtime key.`,
        {
          evidence: [
            `request: ${request}`,
            'HTTP 200',
            `tunnel: ${tunnel.id} '${name}'`,
            ...(tunnel.description ? [`description: ${tunnel.description}`] : []),
          ],
        },
      ),
    };
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    const advice = adviceFor(err, { operation: 'getTunnel', request });
    return {
      networkFailure: err instanceof ControlPlaneError && err.code === 'network',
      check: check(CHECK_IDS.metadata, advice.status, advice.summary, advice),
    };
  }
}

async function pollCheck(
  client: HttpControlPlaneClient,
  options: ControlPlaneCheckOptions,
  viaProxy: string,
): Promise<DoctorCheck> {
  const timeoutMs = options.pollTimeoutMs ?? 1000;
  const request = `GET ${client.endpoints.origin}${client.endpoints.pollPath}?limit=1&timeout_ms=${timeoutMs}${viaProxy}`;
  const why =
    'A real poll, as `run` makes them. If a caller is waiting, the control plane may hand this poll a command: the doctor then answers it at once with a retryable 503 instead of leaving the caller hanging. Pass --no-poll to skip this check while the tunnel serves traffic.';
  let result;
  try {
    result = await client.poll({
      limit: 1,
      timeoutMs,
      signal: bounded(timeoutMs + options.timeoutMs, options.signal),
    });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    const advice = adviceFor(err, { operation: 'poll', request });
    return check(CHECK_IDS.poll, advice.status, advice.summary, advice);
  }
  const unusable = [
    ...result.dropped.map((d) => `dropped an undecodable command ${d.requestId ?? ''}: ${d.reason}`),
    ...result.skipped.map((k) => `skipped command ${k.requestId ?? ''} of unknown type ${k.commandType}`),
  ];
  if (result.commands.length === 0) {
    return check(
      CHECK_IDS.poll,
      'pass',
      'The poll route accepts this key and client (no command was pending).',
      {
        why,
        evidence: [`request: ${request}`, 'HTTP 204 or an empty batch', ...unusable],
      },
    );
  }
  const answered: string[] = [];
  for (const command of result.commands) {
    const outcome = await client
      .respond(terminalPayload(command, DOCTOR_TOOK_COMMAND), {
        shardToken: command.shard_token,
        kind: 'terminal',
        signal: bounded(options.timeoutMs, options.signal),
      })
      .then(
        (r) => (r === 'ok' ? 'answered 503' : 'already gone'),
        () => 'could not be answered',
      );
    answered.push(`command ${command.request_id} (${command.command_type}): ${outcome}`);
  }
  return check(
    CHECK_IDS.poll,
    'warn',
    `The poll route works, and it handed the doctor ${result.commands.length} pending command(s), answered with a retryable 503.`,
    {
      why,
      evidence: [`request: ${request}`, 'HTTP 200', ...answered, ...unusable],
      nextStep:
        'A caller was using this tunnel: its request got a retryable error. Run the doctor while the tunnel is idle, or with --no-poll while it serves traffic.',
    },
  );
}

function bounded(ms: number, outer: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}
