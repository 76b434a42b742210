/**
 * The exposition passes `promtool check metrics` (format and lint: names, units, counters'
 * `_total`, HELP text...). promtool comes from the Debian package `prometheus`; without it this
 * test fails rather than skipping.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineMetrics, type EngineMetrics } from '../../../../main/core/observability/metrics.js';
import { FakeSource, channel, record, status } from './metrics-fixtures.js';

interface CheckResult {
  code: number | null;
  output: string;
}

function promtoolCheck(text: string): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('promtool check metrics did not finish within 15 s'));
    }, 15_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'promtool is not installed: install the Debian package `prometheus` (apt-get install prometheus)',
            )
          : error,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.on('error', () => undefined); // an early exit is reported through `close`
    child.stdin.end(text);
  });
}

let metrics: EngineMetrics | undefined;
afterEach(() => {
  metrics?.close();
  metrics = undefined;
});

describe('promtool check metrics', () => {
  it('accepts the exposition with every metric populated, without lint problems', async () => {
    const source = new FakeSource();
    source.entries = [
      {
        id: 'work',
        status: status('work', {
          commandsTotal: 12,
          lastSuccessfulPollAt: 1_700_000_000_500,
          inflight: 3,
          queued: 1,
          running: 2,
          errorsByKind: { poll_network: 2, poll_auth: 1, command_failure_timeout: 1, response_gone: 1 },
          channels: [
            channel('main', { restarts: 1, sessions: 2 }),
            channel('web', { transport: 'streamable-http' }),
          ],
        }),
      },
      { id: 'home "lab"\\1', status: status('home "lab"\\1', { kind: 'degraded' }) },
    ];
    metrics = createEngineMetrics({ source });
    metrics.recordCommand('work', record());
    metrics.recordCommand(
      'work',
      record({ channel: 'web', method: 'notifications/initialized', status: 202 }),
    );
    metrics.recordCommand(
      'work',
      record({ commandType: 'session_termination', method: undefined, outcome: 'gone', status: 404 }),
    );
    metrics.recordCommand('work', record({ channel: 'nope', outcome: 'failure', status: 400 }));
    metrics.recordCommand('work', record({ outcome: 'dropped', status: undefined }));
    metrics.recordCommand('home "lab"\\1', record({ queueMs: 12_000, mcpMs: 700_000 }));

    const text = await metrics.text();
    expect(text).toContain('command_end_to_end_latency_seconds_bucket');
    const result = await promtoolCheck(text);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('accepts the exposition with no tunnels and no commands', async () => {
    metrics = createEngineMetrics({ source: new FakeSource() });
    const result = await promtoolCheck(await metrics.text());
    expect(result).toEqual({ code: 0, output: '' });
  });

  it('is a real check: promtool rejects a broken exposition', async () => {
    const result = await promtoolCheck('# TYPE broken_ms counter\nbroken_ms 1\n');
    expect(result.code).not.toBe(0);
    expect(result.output).not.toBe('');
  });
});
