import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContractResult } from '../../../../preload/contract/index.js';
import { CONTRACT_EVENTS, CONTRACT_METHODS } from '../../../../preload/contract/methods.js';
import { AdminService } from '../../../../main/core/admin/admin-service.js';
import { RequestLog } from '../../../../main/core/admin/request-log.js';
import { TunnelManager } from '../../../../main/core/admin/tunnel-manager.js';
import { LogHub } from '../../../../main/core/observability/logger.js';
import {
  invokeChannels,
  IPC_CHANNELS,
  IPC_PREFIX,
  methodChannel,
} from '../../../../main/shell/ipc/channel-registry.js';
import { registerIpcRouter, type IpcRouter } from '../../../../main/shell/ipc/ipc-router.js';
import { createSenderCheck } from '../../../../main/shell/ipc/sender-check.js';
import {
  createPreloadBridge,
  PRELOAD_CHANNELS,
  PRELOAD_EVENTS,
  PRELOAD_METHODS,
  PRELOAD_PREFIX,
} from '../../../../preload/index.js';
import { eventFrom, FakeIpcMain, FakeWebContents, rendererPair } from './ipc-fakes.js';

const RENDERER = 'file:///opt/MCP%20Tunnel/resources/app.asar/dist/renderer/index.html';
const ours = new FakeWebContents(1);
const ownIds = new Set([ours.id]);

function realService() {
  const hub = new LogHub({ level: 'info' });
  const manager = new TunnelManager({ logger: hub.logger(), probeIntervalMs: 60_000 });
  manager.add({
    id: 'demo',
    displayName: 'Demo',
    connection: 'demo',
    enabled: false,
    load: () => Promise.reject(new Error('not started in this test')),
  });
  return {
    hub,
    manager,
    service: new AdminService({ manager, logs: hub, requests: new RequestLog(), version: 'test' }),
  };
}

let router: IpcRouter | undefined;
afterEach(() => {
  router?.dispose();
  router = undefined;
});

function setup(service: ConstructorParameters<typeof Object>[0] = realService().service) {
  const ipcMain = new FakeIpcMain();
  router = registerIpcRouter({
    ipcMain,
    service: service as AdminService,
    isTrustedSender: createSenderCheck({ rendererUrl: RENDERER, ownWebContents: () => ownIds }),
  });
  return ipcMain;
}

describe('channel registry', () => {
  it('has one invoke channel per contract method, and the preload uses the same names', () => {
    expect(invokeChannels()).toEqual([
      ...CONTRACT_METHODS.map((m) => `${IPC_PREFIX}${m}`),
      IPC_CHANNELS.subscribe,
      IPC_CHANNELS.unsubscribe,
      IPC_CHANNELS.saveFile,
    ]);
    expect(PRELOAD_PREFIX).toBe(IPC_PREFIX);
    expect(PRELOAD_CHANNELS).toEqual(IPC_CHANNELS);
  });
});

describe('IPC router', () => {
  it('registers a handler for every contract method, and the preload bridge has an entry for each', async () => {
    const invoke = vi.fn(async (method: string) => ({ ok: true, result: { method } }));
    const ipcMain = setup({ invoke, subscribe: () => () => undefined });
    expect([...ipcMain.handlers.keys()].sort()).toEqual(invokeChannels().sort());
    expect(Object.keys(PRELOAD_METHODS).sort()).toEqual([...CONTRACT_METHODS].sort());
    expect(Object.keys(PRELOAD_EVENTS).sort()).toEqual([...CONTRACT_EVENTS].sort());

    const { ipc, invoked } = rendererPair(ipcMain, ours, RENDERER);
    const bridge = createPreloadBridge(ipc);
    for (const method of CONTRACT_METHODS) {
      expect(ipcMain.handlers.has(methodChannel(method)), method).toBe(true);
      await expect(bridge.call(method, {})).resolves.toEqual({ method });
    }
    expect(invoked).toEqual(CONTRACT_METHODS.map((m) => methodChannel(m)));
    expect(invoke).toHaveBeenCalledTimes(CONTRACT_METHODS.length);
    await expect(bridge.call('nope.never' as never, {} as never)).rejects.toThrow('not an MCP Tunnel method');
    expect(invoked).toHaveLength(CONTRACT_METHODS.length);
  });

  it('routes a good call to the real admin service and answers its contract result', async () => {
    const { service, hub } = realService();
    const ipcMain = setup(service);
    const status = (await ipcMain.invoke(
      eventFrom(ours, `${RENDERER}#/tunnels`),
      methodChannel('status.get'),
    )) as ContractResult<{
      tunnels: Array<{ id: string; state: { kind: string } }>;
    }>;
    expect(status).toMatchObject({
      ok: true,
      result: { version: 'test', tunnels: [{ id: 'demo', state: { kind: 'stopped' } }] },
    });

    const level = await ipcMain.invoke(eventFrom(ours, RENDERER), methodChannel('logs.setLevel'), {
      level: 'debug',
    });
    expect(level).toEqual({ ok: true, result: { level: 'debug' } });
    expect(hub.level).toBe('debug');

    const missing = await ipcMain.invoke(eventFrom(ours, RENDERER), methodChannel('tunnels.start'), {
      id: 'ghost',
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const badField = await ipcMain.invoke(eventFrom(ours, RENDERER), methodChannel('logs.setLevel'), {
      level: 'loud',
    });
    expect(badField).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it.each([
    ['another WebContents', eventFrom(new FakeWebContents(2), RENDERER)],
    ['a page that navigated away', eventFrom(ours, 'https://evil.example/index.html')],
    ['another file on disk', eventFrom(ours, 'file:///tmp/evil/index.html')],
    ['an iframe inside our window', eventFrom(ours, RENDERER, { url: RENDERER })],
    ['a destroyed frame', { sender: ours, senderFrame: null }],
  ])('rejects a call from %s with forbidden and never reaches the service', async (_name, event) => {
    const invoke = vi.fn();
    const ipcMain = setup({ invoke, subscribe: () => () => undefined });
    for (const channel of invokeChannels()) {
      const answer = await ipcMain.invoke(event, channel, {});
      expect(answer, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it.each([
    ['an array', [[1, 2]]],
    ['a string', ['status']],
    ['null', [null]],
    ['a class instance', [new Date()]],
    ['two arguments', [{}, {}]],
    ['too many fields', [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]))]],
  ])('rejects %s as parameters with bad_request', async (_name, args) => {
    const invoke = vi.fn();
    const ipcMain = setup({ invoke, subscribe: () => () => undefined });
    const answer = await ipcMain.invoke(eventFrom(ours, RENDERER), methodChannel('status.get'), ...args);
    expect(answer).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('validates subscribe and save-file payloads', async () => {
    const ipcMain = setup();
    const call = (channel: string, ...args: unknown[]) =>
      ipcMain.invoke(eventFrom(ours, RENDERER), channel, ...args);
    expect(await call(IPC_CHANNELS.subscribe, 'secrets.dump')).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await call(IPC_CHANNELS.saveFile, { fileName: '../../.bashrc', base64: 'AA==' })).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await call(IPC_CHANNELS.saveFile, { fileName: 'b.tar.gz', base64: 'not base64!' })).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect(await call(IPC_CHANNELS.saveFile, { fileName: 'b.tar.gz', base64: 'AA==' })).toMatchObject({
      error: { code: 'unavailable' },
    });
  });

  it('forwards contract events only to windows that subscribed, and stops after unsubscribe or destroy', async () => {
    const { service, hub } = realService();
    const ipcMain = setup(service);
    const flush = () => new Promise((r) => setImmediate(r));
    const window = new FakeWebContents(1);
    const idle = new FakeWebContents(1); // one of ours, but it never subscribes
    rendererPair(ipcMain, idle, RENDERER);
    const bridge = createPreloadBridge(rendererPair(ipcMain, window, RENDERER).ipc);
    const seen: string[] = [];
    const stop = bridge.on('logs.entry', (entry) => seen.push(entry.msg));
    await flush();
    hub.logger('t').info('first');
    expect(seen).toEqual(['first']);
    expect(window.sent.map((s) => [s.channel, s.args[0]])).toEqual([[IPC_CHANNELS.event, 'logs.entry']]);
    expect(idle.sent).toEqual([]);

    stop();
    await flush();
    hub.logger('t').info('after unsubscribe');
    expect(seen).toEqual(['first']);
    expect(window.sent).toHaveLength(1);

    bridge.on('logs.entry', (entry) => seen.push(entry.msg));
    await flush();
    window.destroy();
    hub.logger('t').info('after destroy');
    expect(window.sent).toHaveLength(1);
  });
});
