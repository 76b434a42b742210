/**
 * The stdio test server (test/fixtures/stdio-test-server.mjs) as a channel config for
 * `buildTunnel`, with its event log in a temp dir: `{event:'start',pid}` per spawn and
 * `{event:'in',method,id,params}` per message the child received.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StdioChannelConfig } from '../../../../../main/core/engine/config.js';

const SERVER = fileURLToPath(new URL('../../../../fixtures/stdio-test-server.mjs', import.meta.url));

export interface FixtureEvent {
  event: string;
  pid?: number;
  method?: string;
  id?: unknown;
  params?: { name?: string; arguments?: Record<string, unknown> };
}

export interface StdioFixture {
  config: StdioChannelConfig;
  events(): FixtureEvent[];
  /** Tool calls the child received whose `arguments.text` is `text`. */
  callsWithText(text: string): FixtureEvent[];
  cleanup(): void;
}

export function stdioFixture(name = 'main'): StdioFixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'scenario-stdio-'));
  const logFile = path.join(dir, 'events.jsonl');
  const events = (): FixtureEvent[] => {
    let text: string;
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as FixtureEvent);
  };
  return {
    config: { name, kind: 'stdio', argv: [process.execPath, SERVER], env: { FIXTURE_LOG: logFile } },
    events,
    callsWithText: (text) =>
      events().filter(
        (e) => e.event === 'in' && e.method === 'tools/call' && e.params?.arguments?.text === text,
      ),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether a process with this PID still exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
