import { appendFile, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileLogSink, type FileLogSink } from '../../../../main/core/observability/file-log.js';
import { parseLogEntryLine } from '../../../../main/core/observability/file-log-format.js';
import { defaultLogDir } from '../../../../main/core/observability/file-log-paths.js';
import { readLogFiles } from '../../../../main/core/observability/file-log-read.js';
import { LogHub } from '../../../../main/core/observability/logger.js';

const dirs: string[] = [];
const sinks: FileLogSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'file-log-'));
  dirs.push(dir);
  return dir;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

function hubWithSink(
  options: Parameters<typeof createFileLogSink>[0],
  start = T0,
): { hub: LogHub; file: FileLogSink } {
  let t = start;
  const hub = new LogHub({ level: 'debug', now: () => (t += 1000) });
  const file = createFileLogSink(options);
  sinks.push(file);
  hub.addSink(file.sink);
  return { hub, file };
}

/** File modes are a POSIX notion; Windows ignores them. */
const posix = process.platform !== 'win32';

describe('file log sink', () => {
  it('rotates by size: at most keep+1 files, newest first, 0600 files in a 0700 folder', async () => {
    const dir = join(await tempDir(), 'state', 'logs');
    const { hub, file } = hubWithSink({ dir, maxBytes: 600, keep: 2 });
    const log = hub.logger('engine');
    // Several flushes, each pushing the file past maxBytes.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++) log.info(`round ${round} entry ${i}`, { pad: 'x'.repeat(40) });
      await file.flush();
    }
    await file.close();

    const files = file.files();
    expect(files.map((f) => basename(f))).toEqual(['mcp-tunnel.log', 'mcp-tunnel.log.1', 'mcp-tunnel.log.2']);
    if (posix) expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const seqsPerFile: number[][] = [];
    for (const path of files) {
      const info = await stat(path);
      if (posix) expect(info.mode & 0o777).toBe(0o600);
      expect(info.size).toBeLessThanOrEqual(600);
      const text = await readFile(path, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      seqsPerFile.push(
        text
          .trim()
          .split('\n')
          .map((line) => parseLogEntryLine(line)!.seq),
      );
    }
    // Newest first: every entry in a file is newer than every entry in the next one.
    for (let i = 0; i + 1 < seqsPerFile.length; i++) {
      expect(Math.min(...seqsPerFile[i]!)).toBeGreaterThan(Math.max(...seqsPerFile[i + 1]!));
    }
    // The oldest entries were dropped; what is left is the contiguous newest tail, oldest first.
    const entries = await readLogFiles(dir);
    const seqs = entries.map((e) => e.seq);
    expect(seqs[seqs.length - 1]).toBe(30);
    expect(seqs[0]).toBeGreaterThan(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expect(entries[entries.length - 1]).toMatchObject({
      level: 'info',
      scope: 'engine',
      msg: 'round 5 entry 4',
      fields: { pad: 'x'.repeat(40) },
      time: T0 + 30_000,
    });
  });

  it('writes one parsable NDJSON line per entry with an ISO time, already redacted by the hub', async () => {
    const dir = await tempDir();
    const { hub, file } = hubWithSink({ dir });
    hub.logger('cp').warn('poll failed', { authorization: 'Bearer abcdefghijkl', status: 401 });
    await file.close();
    const lines = (await readFile(join(dir, 'mcp-tunnel.log'), 'utf8')).split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: new Date(T0 + 1000).toISOString(),
      level: 'warn',
      seq: 1,
      scope: 'cp',
      msg: 'poll failed',
      fields: { authorization: '[REDACTED]', status: 401 },
    });
  });

  it('tolerates a torn last line, continues on a fresh line and tightens an existing file to 0600', async () => {
    const dir = await tempDir();
    const first = hubWithSink({ dir });
    first.hub.logger().info('one');
    first.hub.logger().info('two');
    await first.file.close();
    const path = join(dir, 'mcp-tunnel.log');
    await appendFile(path, '{"time":"2025-01-02T03:04:09.000Z","level":"info","seq":3,"msg":"tor');
    await chmod(path, 0o644);

    expect((await readLogFiles(dir)).map((e) => e.msg)).toEqual(['one', 'two']);

    const second = hubWithSink({ dir }, T0 + 10_000);
    second.hub.logger().error('after restart');
    await second.file.close();
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readLogFiles(dir)).map((e) => e.msg)).toEqual(['one', 'two', 'after restart']);
    expect((await readLogFiles(dir, T0 + 1500)).map((e) => e.msg)).toEqual(['two', 'after restart']);
  });

  it('never throws into the logger and reports a write failure once on stderr', async () => {
    const base = await tempDir();
    const notADir = join(base, 'occupied');
    await writeFile(notADir, 'a file where the log folder should be');
    const errors = new Capture();
    const { hub, file } = hubWithSink({ dir: notADir, errorStream: errors });
    for (let i = 0; i < 3; i++) {
      expect(() => hub.logger().info(`entry ${i}`)).not.toThrow();
      await file.flush();
    }
    await file.close();
    const reports = errors.text.trim().split('\n');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('MCP_TUNNEL_LOG_DIR');
    expect(file.files()).toEqual([]);
    expect(await readLogFiles(join(base, 'missing'))).toEqual([]);
  });

  it('drops the oldest unwritten entries when the queue is full and says so in the file', async () => {
    const dir = await tempDir();
    const { hub, file } = hubWithSink({ dir, maxQueuedBytes: 400 });
    for (let i = 1; i <= 10; i++) hub.logger().info(`burst ${i}`, { pad: 'y'.repeat(60) });
    await file.close();
    const entries = await readLogFiles(dir);
    const notice = entries[0]!;
    expect(notice).toMatchObject({ level: 'warn', scope: 'observability/file-log' });
    const dropped = Number(/^(\d+) log entries were dropped/.exec(notice.msg)?.[1]);
    const kept = entries.slice(1).map((e) => e.msg);
    expect(dropped).toBeGreaterThan(0);
    expect(kept.length + dropped).toBe(10);
    expect(kept[kept.length - 1]).toBe('burst 10');
  });

  it('ignores entries after close', async () => {
    const dir = await tempDir();
    const { hub, file } = hubWithSink({ dir });
    hub.logger().info('kept');
    await file.close();
    hub.logger().info('late');
    await file.flush();
    expect((await readLogFiles(dir)).map((e) => e.msg)).toEqual(['kept']);
  });
});

describe('defaultLogDir', () => {
  const home = '/home/ada';
  it('uses XDG_STATE_HOME on Linux, falling back to ~/.local/state', () => {
    expect(defaultLogDir({}, 'linux', home)).toBe('/home/ada/.local/state/mcp-tunnel/logs');
    expect(defaultLogDir({ XDG_STATE_HOME: '/var/state' }, 'linux', home)).toBe('/var/state/mcp-tunnel/logs');
    expect(defaultLogDir({ XDG_STATE_HOME: 'relative' }, 'linux', home)).toBe(
      '/home/ada/.local/state/mcp-tunnel/logs',
    );
  });
  it('uses ~/Library/Logs on macOS and %LOCALAPPDATA% on Windows', () => {
    expect(defaultLogDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Logs/mcp-tunnel');
    expect(defaultLogDir({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', 'C:\\Users\\ada')).toBe(
      'C:\\Users\\ada\\AppData\\Local\\mcp-tunnel\\logs',
    );
    expect(defaultLogDir({}, 'win32', 'C:\\Users\\ada')).toBe(
      'C:\\Users\\ada\\AppData\\Local\\mcp-tunnel\\logs',
    );
  });
  it('lets MCP_TUNNEL_LOG_DIR override every platform, expanding ~', () => {
    expect(defaultLogDir({ MCP_TUNNEL_LOG_DIR: '/srv/logs' }, 'linux', home)).toBe('/srv/logs');
    expect(defaultLogDir({ MCP_TUNNEL_LOG_DIR: '~/logs' }, 'darwin', home)).toBe('/home/ada/logs');
    expect(defaultLogDir({ MCP_TUNNEL_LOG_DIR: 'D:\\logs' }, 'win32', home)).toBe('D:\\logs');
  });
});
