/**
 * Channels for reliability rigs: a stdio channel on the SDK test server (echo with delay,
 * progress, wait_forever, garbage) or the shipped demo server, and an HTTP channel to a URL
 * (usually a fault proxy in front of the HTTP MCP fixture). Each plants the rig's canary where a
 * real secret would sit (the child's environment, an extra header) so the log check can find it.
 */
import { fileURLToPath } from 'node:url';
import type { Channel } from '../../main/core/engine/channels/channel.js';
import { createHttpChannel } from '../../main/core/engine/channels/http/http-channel.js';
import { createStdioChannel } from '../../main/core/engine/channels/stdio/stdio-channel.js';
import { demoServerArgv } from '../../main/core/demo/demo-entry.js';
import type { Logger } from '../../main/core/observability/logger.js';

export const STDIO_TEST_SERVER = fileURLToPath(new URL('../fixtures/stdio-test-server.mjs', import.meta.url));

export interface StdioOptions {
  /** `test` (fast, plain node) or `demo` (the shipped demo server through tsx). Default test. */
  server?: 'test' | 'demo';
  maxLineBytes?: number;
  /** Env var holding the canary (a secret the child gets). */
  canary?: string;
}

export function stdioChannel(name: string, logger: Logger, options: StdioOptions = {}): Channel {
  const argv = options.server === 'demo' ? demoServerArgv() : [process.execPath, STDIO_TEST_SERVER];
  return createStdioChannel({
    name,
    argv,
    env: options.canary ? { UPSTREAM_API_TOKEN: options.canary } : {},
    logger,
    restartBackoff: { initialMs: 50, maxMs: 400 },
    stopGraceMs: 500,
    handshakeTimeoutMs: 2_000,
    ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}),
  });
}

export function httpChannel(name: string, url: string, logger: Logger, canary?: string): Channel {
  return createHttpChannel({
    name,
    url,
    logger,
    ...(canary ? { extraHeaders: { 'X-Api-Key': canary } } : {}),
  });
}
