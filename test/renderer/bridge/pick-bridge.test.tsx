// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { takeAdminToken } from '../../../renderer/bridge/admin-token.js';
import { pickBridge } from '../../../renderer/bridge/pick-bridge.js';
import { FakeBridge } from '../fake-bridge.js';

afterEach(() => {
  delete window.mcpTunnel;
  sessionStorage.clear();
  history.replaceState(null, '', '/ui/');
});

describe('admin token and transport choice', () => {
  it('takes the token from the fragment, keeps it for the tab only and removes it from the address bar', () => {
    history.replaceState(null, '', '/ui/#token=abc123');
    expect(takeAdminToken({ location, history, storage: sessionStorage })).toBe('abc123');
    expect(location.href).not.toContain('abc123');
    expect(location.hash).toBe('#/overview');
    // A reload finds it in this tab's session storage.
    expect(takeAdminToken({ location, history, storage: sessionStorage })).toBe('abc123');
  });

  it('prefers the Electron preload API when present, else HTTP with the token, else nothing', () => {
    expect(pickBridge(window)).toBeUndefined();
    history.replaceState(null, '', '/ui/#token=t0k');
    const http = pickBridge(window);
    expect(http).toBeDefined();
    expect(typeof http!.onLiveState).toBe('function');
    const ipc = new FakeBridge();
    window.mcpTunnel = ipc;
    expect(pickBridge(window)).toBe(ipc);
  });

  it('keeps contract error codes over IPC by using the preload invoke', async () => {
    const ipc = new FakeBridge();
    window.mcpTunnel = Object.assign(ipc, {
      invoke: async () => ({
        ok: false as const,
        error: { code: 'keychain_unavailable' as const, message: 'no keychain' },
      }),
    });
    const bridge = pickBridge(window)!;
    await expect(bridge.call('profiles.list', {})).rejects.toMatchObject({
      name: 'BridgeError',
      code: 'keychain_unavailable',
    });
  });
});
