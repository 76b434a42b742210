import { describe, expect, it } from 'vitest';
import { createStatusStore } from '../../../renderer/store/status-slice.js';
import { FakeBridge, flush, tunnel } from '../fake-bridge.js';

function setup(snapshotRev = 10) {
  const bridge = new FakeBridge().handle('status.get', () => ({
    version: '0.1.0',
    rev: snapshotRev,
    tunnels: [tunnel()],
  }));
  const store = createStatusStore(bridge);
  return { bridge, store };
}

describe('status slice: snapshot, then deltas by rev', () => {
  it('drops a tunnel when the daemon removes it', async () => {
    const { bridge, store } = setup(10);
    const stop = store.getState().start();
    await flush();
    expect(store.getState().tunnels).toHaveLength(1);
    const id = store.getState().tunnels[0]!.id;
    bridge.emit('status.removed', { rev: 12, id });
    expect(store.getState().tunnels).toEqual([]);
    expect(store.getState().revs[id]).toBeUndefined();
    stop();
    expect(bridge.listenerCount('status.removed')).toBe(0);
  });

  it('subscribes before loading the snapshot, then applies only newer events', async () => {
    const { bridge, store } = setup(10);
    const stop = store.getState().start();
    expect(bridge.listenerCount('status.tunnel')).toBe(1);
    await flush();
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().tunnels[0]!.state.kind).toBe('ready');

    bridge.emit('status.tunnel', {
      rev: 9,
      tunnel: tunnel({ state: { kind: 'starting', reason: 'old', nextStep: '', since: 0 } }),
    });
    expect(store.getState().tunnels[0]!.state.kind).toBe('ready');

    bridge.emit('status.tunnel', {
      rev: 11,
      tunnel: tunnel({
        state: { kind: 'degraded', reason: 'probe failing', nextStep: 'Check the server.', since: 5 },
      }),
    });
    expect(store.getState().tunnels[0]!.state).toMatchObject({ kind: 'degraded', reason: 'probe failing' });

    bridge.emit('status.tunnel', { rev: 11, tunnel: tunnel() });
    expect(store.getState().tunnels[0]!.state.kind).toBe('degraded');
    stop();
    expect(bridge.listenerCount('status.tunnel')).toBe(0);
  });

  it('keeps an event that raced ahead of an older snapshot, and adds tunnels it learns from events', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const bridge = new FakeBridge().handle('status.get', async () => {
      await gate;
      return { version: '0.1.0', rev: 5, tunnels: [tunnel()] };
    });
    const store = createStatusStore(bridge);
    store.getState().start();
    bridge.emit('status.tunnel', {
      rev: 7,
      tunnel: tunnel({
        enabled: false,
        state: { kind: 'stopped', reason: 'turned off', nextStep: '', since: 9 },
      }),
    });
    bridge.emit('status.tunnel', { rev: 8, tunnel: tunnel({ id: 'second', displayName: 'Second' }) });
    release();
    await flush();
    const s = store.getState();
    expect(s.tunnels.find((t) => t.id === 'demo')!.state.kind).toBe('stopped');
    expect(s.tunnels.map((t) => t.id).sort()).toEqual(['demo', 'second']);
  });

  it('reloads the snapshot after the event stream reconnects', async () => {
    const { bridge, store } = setup();
    store.getState().start();
    bridge.setLive('live');
    await flush();
    expect(bridge.callsOf('status.get')).toHaveLength(1);
    bridge.setLive('reconnecting');
    expect(store.getState().live).toBe('reconnecting');
    bridge.setLive('live');
    await flush();
    expect(bridge.callsOf('status.get')).toHaveLength(2);
  });

  it('turns a tunnel off and on through tunnels.stop / tunnels.start, showing the answer when no event came', async () => {
    const { bridge, store } = setup();
    bridge.handle('tunnels.stop', ({ id }) =>
      tunnel({
        id,
        enabled: false,
        state: { kind: 'stopped', reason: 'turned off', nextStep: 'Turn it on.', since: 3 },
      }),
    );
    bridge.handle('tunnels.start', ({ id }) =>
      tunnel({ id, enabled: true, state: { kind: 'starting', reason: 'starting', nextStep: '', since: 4 } }),
    );
    store.getState().start();
    await flush();
    const pending = store.getState().setEnabled('demo', false);
    expect(store.getState().switching.demo).toBe(true);
    await pending;
    expect(bridge.callsOf('tunnels.stop')).toEqual([{ id: 'demo' }]);
    expect(store.getState().switching.demo).toBe(false);
    expect(store.getState().tunnels[0]!.enabled).toBe(false);
    await store.getState().setEnabled('demo', true);
    expect(bridge.callsOf('tunnels.start')).toEqual([{ id: 'demo' }]);
    expect(store.getState().tunnels[0]!.state.kind).toBe('starting');
  });

  it('shows a failed switch as an error on that tunnel', async () => {
    const { store } = setup();
    store.getState().start();
    await flush();
    await store.getState().setEnabled('demo', false);
    expect(store.getState().actionError.demo).toMatch(/not scripted/);
  });

  it('reveals the connector token on request and forgets it on hide', async () => {
    const { bridge, store } = setup();
    bridge.handle('tunnels.revealToken', () => ({ connectorToken: 'ct_secret' }));
    await store.getState().revealToken('demo');
    expect(store.getState().tokens.demo).toBe('ct_secret');
    store.getState().hideToken('demo');
    expect(store.getState().tokens.demo).toBeUndefined();
  });
});
