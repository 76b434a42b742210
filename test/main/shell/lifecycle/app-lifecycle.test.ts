import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  claimSingleInstance,
  dockFollowsWindows,
  installQuitHandling,
  type LifecycleApp,
} from '../../../../main/shell/lifecycle/app-lifecycle.js';
import { createStartAtLogin, linuxAutostartEntry } from '../../../../main/shell/lifecycle/start-at-login.js';

class FakeApp extends EventEmitter implements LifecycleApp {
  quits = 0;
  constructor(private readonly lock = true) {
    super();
  }
  requestSingleInstanceLock() {
    return this.lock;
  }
  quit() {
    this.quits += 1;
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
    this.emit('before-quit', event);
  }
}

describe('lifecycle', () => {
  it('a second instance hands over: the first is told, the second exits', () => {
    const first = new FakeApp(true);
    const seen: string[][] = [];
    expect(claimSingleInstance(first, (argv) => seen.push(argv))).toBe(true);
    first.emit('second-instance', {}, ['mcp-tunnel', '--hidden']);
    expect(seen).toEqual([['mcp-tunnel', '--hidden']]);
    expect(claimSingleInstance(new FakeApp(false), () => undefined)).toBe(false);
  });

  it('quit stops everything once, then really quits; closing windows does not quit', async () => {
    const app = new FakeApp();
    let release!: () => void;
    const shutdown = vi.fn(() => new Promise<void>((r) => (release = r)));
    installQuitHandling(app, { shutdown });
    app.emit('window-all-closed');
    expect(shutdown).not.toHaveBeenCalled();
    app.quit();
    app.quit(); // a second Quit while shutting down
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(app.quits).toBe(2);
    release();
    await vi.waitFor(() => expect(app.quits).toBe(3));
    expect(shutdown).toHaveBeenCalledTimes(1);
  });

  it('quits anyway when the shutdown hangs past the timeout', async () => {
    const app = new FakeApp();
    let fire!: () => void;
    installQuitHandling(app, {
      shutdown: () => new Promise<void>(() => undefined),
      schedule: (run) => ((fire = run), () => undefined),
    });
    app.quit();
    fire();
    await vi.waitFor(() => expect(app.quits).toBe(2));
  });

  it('the macOS dock icon follows the window; no dock elsewhere is fine', () => {
    const calls: string[] = [];
    const follow = dockFollowsWindows({
      show: () => void calls.push('show'),
      hide: () => void calls.push('hide'),
    });
    follow(false);
    follow(true);
    expect(calls).toEqual(['hide', 'show']);
    expect(() => dockFollowsWindows(undefined)(true)).not.toThrow();
  });
});

describe('start at login', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('on Linux writes and removes an XDG autostart entry that starts hidden', async () => {
    dir = await mkdtemp(join(tmpdir(), 'autostart-'));
    const login = createStartAtLogin({
      platform: 'linux',
      app: { getLoginItemSettings: () => ({ openAtLogin: true }), setLoginItemSettings: () => undefined },
      execPath: '/opt/MCP Tunnel/mcp-tunnel',
      autostartDir: join(dir, 'autostart'),
    });
    expect(login.get()).toBe(false);
    login.set(true);
    expect(login.get()).toBe(true);
    const text = await readFile(join(dir, 'autostart', 'mcp-tunnel.desktop'), 'utf8');
    expect(text).toContain('Exec="/opt/MCP Tunnel/mcp-tunnel" --hidden');
    expect(text).toBe(linuxAutostartEntry('/opt/MCP Tunnel/mcp-tunnel'));
    login.set(false);
    expect(login.get()).toBe(false);
  });

  it('on Windows asks and sets with the same path and --hidden args', () => {
    const asked: unknown[] = [];
    const set: unknown[] = [];
    const login = createStartAtLogin({
      platform: 'win32',
      app: {
        getLoginItemSettings: (o) => (asked.push(o), { openAtLogin: false }),
        setLoginItemSettings: (s) => void set.push(s),
      },
      execPath: 'C:\\MCP Tunnel\\MCP Tunnel.exe',
      autostartDir: 'unused',
    });
    expect(login.get()).toBe(false);
    login.set(true);
    const item = { path: 'C:\\MCP Tunnel\\MCP Tunnel.exe', args: ['--hidden'] };
    expect(asked).toEqual([item]);
    expect(set).toEqual([{ openAtLogin: true, ...item }]);
  });
});
