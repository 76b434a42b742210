import { describe, expect, it } from 'vitest';
import { AdminService } from '../../../../main/core/admin/admin-service.js';
import { RequestLog } from '../../../../main/core/admin/request-log.js';
import { TunnelManager } from '../../../../main/core/admin/tunnel-manager.js';
import { LogHub } from '../../../../main/core/observability/logger.js';

describe('TunnelManager.remove', () => {
  it('forgets the tunnel and tells subscribers, with a newer rev', async () => {
    const hub = new LogHub({ level: 'error' });
    const manager = new TunnelManager({ logger: hub.logger() });
    manager.add({
      id: 'gone-soon',
      displayName: 'Gone soon',
      connection: 'relay',
      enabled: false,
      load: () => Promise.reject(new Error('never started in this test')),
    });
    const service = new AdminService({ manager, logs: hub, requests: new RequestLog(), version: 'test' });
    const events: Array<[string, unknown]> = [];
    service.subscribe((event, payload) => events.push([event, payload]));
    const revBefore = manager.rev;

    await manager.remove('gone-soon');

    expect(manager.ids()).toEqual([]);
    expect(events).toEqual([['status.removed', { rev: revBefore + 1, id: 'gone-soon' }]]);
    const status = await service.invoke('status.get', {});
    expect(status).toMatchObject({ ok: true, result: { tunnels: [] } });
  });
});
