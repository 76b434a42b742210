import { describe, expect, it } from 'vitest';
import { LogHub } from '../../../main/core/observability/logger.js';
import {
  configureElectronLog,
  createElectronLogSink,
  type ElectronLogLike,
} from '../../../main/shell/electron-log-sink.js';

function fakeElectronLog() {
  const lines: Array<[string, unknown[]]> = [];
  const write =
    (level: string) =>
    (...params: unknown[]) =>
      void lines.push([level, params]);
  const log: ElectronLogLike = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    transports: {
      file: { level: 'silly', maxSize: 0, resolvePathFn: () => 'default' },
      console: { level: 'silly' },
    },
  };
  return { log, lines };
}

describe('electron-log sink', () => {
  it('writes every LogHub entry, already redacted, at its level with scope and fields', () => {
    const { log, lines } = fakeElectronLog();
    const hub = new LogHub({ level: 'debug' });
    hub.addSink(createElectronLogSink(log));
    hub.logger('engine').warn('poll failed', { attempt: 2, authorization: 'Bearer sk-canary-123456789' });
    hub.logger().debug('plain');
    expect(lines).toEqual([
      ['warn', ['[engine] poll failed {"attempt":2,"authorization":"[REDACTED]"}']],
      ['debug', ['plain']],
    ]);
    expect(JSON.stringify(lines)).not.toContain('sk-canary');
    expect(hub.entries()).toHaveLength(2); // the same entries the UI's ring buffer holds
  });

  it('writes files only, in the platform log directory, owner-readable', () => {
    const { log } = fakeElectronLog();
    const file = configureElectronLog(log, '/home/u/.config/MCP Tunnel/logs');
    expect(file).toBe('/home/u/.config/MCP Tunnel/logs/main.log');
    expect(log.transports.console.level).toBe(false);
    expect(log.transports.file.resolvePathFn()).toBe(file);
    expect(log.transports.file.writeOptions).toMatchObject({ mode: 0o600 });
  });
});
