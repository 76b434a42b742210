import { describe, expect, it } from 'vitest';
import type { LogEntryDto } from '../../../preload/contract/index.js';
import { createLogsStore, filterLogs } from '../../../renderer/store/logs-slice.js';
import { FakeBridge, flush } from '../fake-bridge.js';

const entry = (
  seq: number,
  level: LogEntryDto['level'] = 'info',
  msg = `message ${seq}`,
  extra: Partial<LogEntryDto> = {},
): LogEntryDto => ({
  seq,
  time: 1_000 + seq,
  level,
  msg,
  ...extra,
});

function setup(tail: LogEntryDto[] = [entry(1), entry(2)]) {
  const bridge = new FakeBridge()
    .handle('logs.tail', () => ({ entries: tail, lastSeq: tail.at(-1)?.seq ?? 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('logs.setLevel', ({ level }) => ({ level }));
  return { bridge, store: createLogsStore(bridge) };
}

describe('logs slice', () => {
  it('merges the tail with events that raced it, by seq and without duplicates', async () => {
    const { bridge, store } = setup([entry(1), entry(2), entry(3)]);
    store.getState().start();
    bridge.emit('logs.entry', entry(3));
    bridge.emit('logs.entry', entry(4));
    await flush();
    expect(store.getState().entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(store.getState().level).toBe('info');
  });

  it('pauses: new entries are held, then join in order on resume', async () => {
    const { bridge, store } = setup();
    store.getState().start();
    await flush();
    store.getState().setPaused(true);
    bridge.emit('logs.entry', entry(3));
    bridge.emit('logs.entry', entry(4));
    expect(store.getState().entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(store.getState().held).toHaveLength(2);
    store.getState().setPaused(false);
    expect(store.getState().entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(store.getState().held).toEqual([]);
  });

  it('filters by minimum level and by text in message, scope or fields', () => {
    const all = [
      entry(1, 'debug', 'poll started'),
      entry(2, 'info', 'tunnel ready', { scope: 'engine' }),
      entry(3, 'warn', 'slow response', { fields: { channel: 'github' } }),
      entry(4, 'error', 'key rejected'),
    ];
    expect(filterLogs(all, { minLevel: 'debug', text: '' })).toHaveLength(4);
    expect(filterLogs(all, { minLevel: 'warn', text: '' }).map((e) => e.seq)).toEqual([3, 4]);
    expect(filterLogs(all, { minLevel: 'debug', text: 'ENGINE' }).map((e) => e.seq)).toEqual([2]);
    expect(filterLogs(all, { minLevel: 'debug', text: 'github' }).map((e) => e.seq)).toEqual([3]);
    expect(filterLogs(all, { minLevel: 'error', text: 'ready' })).toEqual([]);
  });

  it('switches the daemon log level through logs.setLevel', async () => {
    const { bridge, store } = setup();
    await store.getState().setLevel('debug');
    expect(bridge.callsOf('logs.setLevel')).toEqual([{ level: 'debug' }]);
    expect(store.getState().level).toBe('debug');
    expect(store.getState().levelBusy).toBe(false);
  });

  it('keeps at most 2000 entries', async () => {
    const { bridge, store } = setup([]);
    store.getState().start();
    await flush();
    for (let i = 1; i <= 2100; i++) bridge.emit('logs.entry', entry(i));
    expect(store.getState().entries).toHaveLength(2000);
    expect(store.getState().entries[0]!.seq).toBe(101);
  });
});
