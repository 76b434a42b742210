import { describe, expect, it } from 'vitest';
import { createRequestsStore, outcomeTone } from '../../../renderer/store/requests-slice.js';
import { FakeBridge, flush, record } from '../fake-bridge.js';

describe('requests slice', () => {
  it('lists recent requests, then adds each requests.record event once', async () => {
    const bridge = new FakeBridge().handle('requests.list', () => ({ records: [record(1), record(2)] }));
    const store = createRequestsStore(bridge);
    store.getState().start();
    bridge.emit('requests.record', record(2));
    await flush();
    bridge.emit('requests.record', record(3, { toolName: 'add' }));
    expect(store.getState().records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(bridge.callsOf('requests.list')).toEqual([{ limit: 500 }]);
  });

  it('tells answered, MCP-error and tunnel-failed requests apart', () => {
    expect(outcomeTone(record(1))).toBe('ok');
    expect(outcomeTone(record(1, { outcome: 'mcp_error' }))).toBe('warn');
    expect(outcomeTone(record(1, { outcome: 'failure', failureSource: 'mcp_transport' }))).toBe('bad');
    expect(outcomeTone(record(1, { outcome: 'expired' }))).toBe('bad');
  });
});
