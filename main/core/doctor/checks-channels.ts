/**
 * Per channel, two checks:
 *
 *   channel:<name>:preflight   stdio: see stdio-preflight.ts; HTTP: the URL is http(s) (plain
 *                              HTTP to a remote host warns), proxy / CA / mTLS / header names
 *   channel:<name>:initialize  a real MCP `initialize` through the engine's own channel (the
 *                              stdio child or the Streamable HTTP client), bounded by a timeout;
 *                              the HTTP session is ended with DELETE, the child is stopped
 *
 * Evidence of a passing initialize: the server's name, version and protocol version. A stdio
 * server that dies is reported with its exit and its last stderr lines (redacted).
 */
import type { Channel, ChannelOutcome } from '../engine/channels/channel.js';
import { createStdioChannel } from '../engine/channels/stdio/stdio-channel.js';
import { buildChannel } from '../engine/build-tunnel.js';
import type { ChannelConfig, HttpChannelConfig } from '../engine/config.js';
import type { JsonObject } from '../engine/protocol/wire.js';
import type { Logger } from '../observability/logger.js';
import { channelCheckId, check, displayUrl, quote, type DoctorCheck } from './doctor-check.js';
import { stdioPreflight } from './stdio-preflight.js';
import { StderrTail } from './stderr-tail.js';

export interface ChannelCheckOptions {
  parentEnv: NodeJS.ProcessEnv;
  timeoutMs: number;
  logger: Logger;
  signal?: AbortSignal;
}

export const DOCTOR_CLIENT_INFO = { name: 'mcp-tunnel-doctor', version: '1' };
export const DOCTOR_PROTOCOL_VERSION = '2025-06-18';
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Both checks of one channel; initialize is skipped when the preflight failed. */
export async function channelChecks(
  channel: ChannelConfig,
  options: ChannelCheckOptions,
): Promise<DoctorCheck[]> {
  const preflight =
    channel.kind === 'stdio'
      ? await stdioPreflight(channel, { parentEnv: options.parentEnv })
      : httpPreflight(channel);
  if (preflight.status === 'fail') {
    return [
      preflight,
      check(
        channelCheckId(channel.name, 'initialize'),
        'skip',
        'Skipped: the preflight of this channel failed.',
      ),
    ];
  }
  return [preflight, await initializeCheck(channel, options)];
}

export function httpPreflight(channel: HttpChannelConfig): DoctorCheck {
  const id = channelCheckId(channel.name, 'preflight');
  let url: URL;
  try {
    url = new URL(channel.url);
  } catch {
    return check(id, 'fail', `The URL of channel '${channel.name}' is not a URL.`, {
      nextStep:
        'Set mcp.server_urls[].url / MCP_SERVER_URL to the server’s MCP endpoint, e.g. http://127.0.0.1:3000/mcp.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return check(id, 'fail', `The URL of channel '${channel.name}' is not http:// or https://.`, {
      evidence: `scheme: ${url.protocol}`,
      nextStep:
        'Use the Streamable HTTP endpoint of the server (http:// or https://); for a command, use mcp.commands instead.',
    });
  }
  const evidence = [`url: ${displayUrl(channel.url)}`];
  if (channel.proxyUrl) evidence.push(`proxy: ${displayUrl(channel.proxyUrl)}`);
  if (channel.caBundlePem) evidence.push('custom CA bundle: set');
  if (channel.clientCertPem) evidence.push('mTLS client certificate: set');
  const headerNames = Object.keys(channel.extraHeaders ?? {});
  if (headerNames.length) evidence.push(`extra headers: ${headerNames.join(', ')} (values not shown)`);
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    return check(id, 'warn', `Channel '${channel.name}' talks plain HTTP to a remote host.`, {
      why: 'Requests, answers and any extra headers (credentials) cross the network unencrypted.',
      evidence,
      nextStep: 'Use https:// for servers that are not on this machine.',
    });
  }
  return check(
    id,
    'pass',
    `Channel '${channel.name}' has a usable ${url.protocol === 'https:' ? 'HTTPS' : 'HTTP'} URL.`,
    {
      evidence,
    },
  );
}

export async function initializeCheck(
  config: ChannelConfig,
  options: ChannelCheckOptions,
): Promise<DoctorCheck> {
  const id = channelCheckId(config.name, 'initialize');
  const stderr = new StderrTail(options.logger);
  const channel: Channel =
    config.kind === 'stdio'
      ? createStdioChannel({
          name: config.name,
          argv: config.argv,
          ...(config.env ? { env: config.env } : {}),
          ...(config.cwd ? { cwd: config.cwd } : {}),
          parentEnv: options.parentEnv,
          logger: stderr,
          stopGraceMs: 1000,
        })
      : buildChannel(config, options.logger);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    await channel.start();
    const outcome = await channel.send({
      requestId: 'doctor-initialize',
      headers: {},
      signal,
      notify: () => undefined,
      message: {
        jsonrpc: '2.0',
        id: 'mcp-tunnel-doctor',
        method: 'initialize',
        params: {
          protocolVersion: DOCTOR_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: DOCTOR_CLIENT_INFO,
        },
      },
    });
    const session = outcome.kind === 'jsonrpc' ? outcome.headers['Mcp-Session-Id']?.[0] : undefined;
    if (session) {
      await channel
        .terminateSession({ requestId: 'doctor-end', headers: { 'Mcp-Session-Id': [session] }, signal })
        .catch(() => undefined);
    }
    if (options.signal?.aborted) throw options.signal.reason;
    return verdict(id, config, outcome, channel.snapshot().lastError, stderr.lines(), options.timeoutMs);
  } finally {
    await channel.stop().catch(() => undefined);
  }
}

function verdict(
  id: string,
  config: ChannelConfig,
  outcome: ChannelOutcome,
  lastError: string | undefined,
  stderrLines: string[],
  timeoutMs: number,
): DoctorCheck {
  const name = config.name;
  const stderrEvidence = stderrLines.map((line) => `stderr: ${line}`);
  if (outcome.kind === 'jsonrpc') {
    const error = outcome.message.error as { code?: unknown; message?: unknown } | undefined;
    if (error || outcome.status >= 400) {
      const detail = error
        ? `${typeof error.code === 'number' ? error.code : '?'}: ${quote(typeof error.message === 'string' ? error.message : '')}`
        : `HTTP ${outcome.status}`;
      return check(id, 'fail', `The MCP server of channel '${name}' refused initialize (${detail}).`, {
        why: 'The server answered, but with an error instead of its capabilities.',
        evidence: [`HTTP ${outcome.status}`, ...stderrEvidence],
        nextStep:
          'Check the server’s own logs and configuration; an error about protocol versions means the server is too old or too new for 2025-06-18 clients.',
      });
    }
    const result = (outcome.message.result ?? {}) as JsonObject;
    const info = (result.serverInfo ?? {}) as { name?: unknown; version?: unknown };
    const protocol = typeof result.protocolVersion === 'string' ? result.protocolVersion : '(none)';
    const server =
      `${typeof info.name === 'string' ? info.name : '(unnamed)'} ${typeof info.version === 'string' ? info.version : ''}`.trim();
    const caps = result.capabilities;
    const capabilities = caps && typeof caps === 'object' && !Array.isArray(caps) ? Object.keys(caps) : [];
    return check(id, 'pass', `'${server}' answered initialize on channel '${name}' (protocol ${protocol}).`, {
      evidence: [
        `server: ${server}`,
        `protocol version: ${protocol}`,
        `capabilities: ${capabilities.length ? capabilities.join(', ') : '(none)'}`,
      ],
    });
  }
  if (outcome.kind !== 'failure') {
    return check(id, 'fail', `The MCP server of channel '${name}' gave an unexpected answer to initialize.`, {
      evidence: `${outcome.kind} (HTTP ${outcome.status})`,
      nextStep: 'Check that the target is an MCP server (Streamable HTTP endpoint or stdio JSON-RPC).',
    });
  }
  const f = outcome.failure;
  const evidence = [
    `failure: ${f.source}${f.transport_error_kind ? `/${f.transport_error_kind}` : ''}${f.upstream_status ? ` HTTP ${f.upstream_status}` : ''}`,
    ...(lastError ? [`channel: ${lastError}`] : []),
    ...stderrEvidence,
  ];
  const [summary, nextStep] =
    config.kind === 'stdio'
      ? stdioAdvice(config.argv[0] ?? '', f.source, timeoutMs)
      : httpAdvice(config, f, timeoutMs);
  return check(id, 'fail', summary.replace('{name}', name), { evidence, nextStep });
}

function stdioAdvice(command: string, source: string, timeoutMs: number): [string, string] {
  if (source === 'timeout') {
    return [
      `The MCP server of channel '{name}' did not answer initialize within ${Math.round(timeoutMs / 1000)} s.`,
      'A first start that downloads packages (npx, uvx) can be slow: run the doctor again with a longer --timeout. Otherwise check that the server speaks JSON-RPC on stdout (logs belong on stderr).',
    ];
  }
  return [
    `The MCP server of channel '{name}' exited or could not start before answering initialize.`,
    `Run the command by hand (\`${command} …\`) to see why it stops; an MCP stdio server must keep running and read JSON-RPC from stdin. Its stderr is in the evidence and in the logs.`,
  ];
}

function httpAdvice(
  config: HttpChannelConfig,
  f: Extract<ChannelOutcome, { kind: 'failure' }>['failure'],
  timeoutMs: number,
): [string, string] {
  const where = displayUrl(config.url);
  switch (f.source) {
    case 'connect':
      return [
        `Nothing accepts connections at ${where} (channel '{name}').`,
        'Start the MCP server, or fix the host and port in mcp.server_urls[].url / MCP_SERVER_URL; through a proxy, check http_proxy / NO_PROXY.',
      ];
    case 'dns':
      return [
        `The host of ${where} does not resolve (channel '{name}').`,
        'Fix the host name in the URL, or set a proxy (http_proxy) if only the proxy can resolve it.',
      ];
    case 'tls':
      return [
        `TLS to ${where} failed (channel '{name}').`,
        'Set ca_bundle on this server entry (or CA_BUNDLE) to the PEM of the CA that signed its certificate; for mTLS set client_cert and client_key.',
      ];
    case 'timeout':
      return [
        `${where} did not answer initialize within ${Math.round(timeoutMs / 1000)} s (channel '{name}').`,
        'Check that the server is healthy and not blocked by a firewall; run the doctor again with a longer --timeout for slow servers.',
      ];
    case 'target_http': {
      const status = f.upstream_status ?? 0;
      if (status === 401 || status === 403)
        return [
          `${where} wants credentials (HTTP ${status}) (channel '{name}').`,
          'Add them as extra headers with a reference, e.g. extra_headers: { Authorization: "env:MCP_SERVER_TOKEN" } on the server entry, or MCP_EXTRA_HEADERS.',
        ];
      if (status === 404 || status === 405 || status === 406 || status === 415)
        return [
          `${where} is not a Streamable HTTP MCP endpoint (HTTP ${status}) (channel '{name}').`,
          'Check the path (often /mcp); an SSE-only server (2024-11-05 transport) needs a bridge or a newer server version.',
        ];
      return [`${where} failed with HTTP ${status} (channel '{name}').`, 'Check the MCP server’s logs.'];
    }
    default:
      return [
        `${where} did not answer initialize like an MCP server (channel '{name}').`,
        'Check that the URL is the server’s MCP endpoint and that nothing in between (proxy, login page) rewrites the answer.',
      ];
  }
}
