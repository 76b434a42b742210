import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { AdminWindow, type WindowLike } from '../../../../main/shell/windows/admin-window.js';
import {
  denyAllPermissions,
  guardWebContents,
  type GuardableContents,
} from '../../../../main/shell/windows/window-guards.js';
import {
  adminWindowOptions,
  isSafeExternalUrl,
  rendererUrl,
} from '../../../../main/shell/windows/window-options.js';

describe('window options', () => {
  it('pin the security settings, whatever the input', () => {
    const o = adminWindowOptions({ preloadPath: '/app/dist/preload-cjs/index.js' });
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      preload: '/app/dist/preload-cjs/index.js',
    });
    expect(o.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(o.show).toBe(false);
  });

  it('load the renderer from disk with the route in the hash', () => {
    expect(rendererUrl('/app/dist/renderer/index.html')).toBe('file:///app/dist/renderer/index.html');
    expect(rendererUrl('/app/dist/renderer/index.html', '/wizard')).toBe(
      'file:///app/dist/renderer/index.html#/wizard',
    );
  });

  it.each([
    ['https://platform.openai.com/docs', true],
    ['http://127.0.0.1:8080/ui/', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://host/share', false],
    ['https://user:pw@example.com/', false],
    ['not a url', false],
  ])('opens %s externally: %s', (url, safe) => {
    expect(isSafeExternalUrl(url)).toBe(safe);
  });
});

type Listener = (event: { preventDefault(): void }, url: string) => void;
class FakeContents implements GuardableContents {
  id = 7;
  listeners = new Map<string, Listener>();
  openHandler?: (d: { url: string }) => { action: 'deny' };
  on(event: string, listener: Listener): unknown {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
    this.openHandler = h;
  }
  fire(event: string, url = ''): boolean {
    let prevented = false;
    this.listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

describe('window guards', () => {
  const own = 'file:///app/dist/renderer/index.html';
  function guarded() {
    const contents = new FakeContents();
    const opened: string[] = [];
    guardWebContents(contents, {
      openExternal: (u) => void opened.push(u),
      isOwnUrl: (u) => u.startsWith(own),
    });
    return { contents, opened };
  }

  it('deny navigation away; http(s) links go to the system browser, others nowhere', () => {
    const { contents, opened } = guarded();
    expect(contents.fire('will-navigate', `${own}#/logs`)).toBe(false);
    expect(contents.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
    expect(opened).toEqual(['https://example.com/']);
  });

  it('deny every new window; http(s) ones open externally', () => {
    const { contents, opened } = guarded();
    expect(contents.openHandler!({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.example/']);
  });

  it('deny every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, p: string) => boolean) | null = null;
    denyAllPermissions({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
    });
    const granted = vi.fn();
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      request!({}, p, granted);
      expect(check!({}, p)).toBe(false);
    }
    expect(granted.mock.calls).toEqual([[false], [false], [false], [false]]);
  });
});

describe('admin window', () => {
  it('creates one guarded window with the pinned options, reuses it, and forgets it when closed', async () => {
    const created: BrowserWindowConstructorOptions[] = [];
    const loaded: string[] = [];
    const visibility: boolean[] = [];
    let closed: (() => void) | undefined;
    const contents = new FakeContents();
    const fake: WindowLike = {
      webContents: contents,
      loadURL: async (u) => void loaded.push(u),
      show: () => undefined,
      focus: () => undefined,
      restore: () => undefined,
      isMinimized: () => false,
      isDestroyed: () => false,
      once: () => fake,
      on: (_e, l) => ((closed = l), fake),
    };
    const admin = new AdminWindow({
      createWindow: (o) => (created.push(o), fake),
      indexHtmlPath: '/app/dist/renderer/index.html',
      preloadPath: '/app/dist/preload-cjs/index.js',
      openExternal: () => undefined,
      onVisibilityChange: (open) => visibility.push(open),
    });
    await admin.open();
    await admin.open('/wizard');
    expect(created).toHaveLength(1);
    expect(created[0]!.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(loaded).toEqual([
      'file:///app/dist/renderer/index.html',
      'file:///app/dist/renderer/index.html#/wizard',
    ]);
    expect(contents.openHandler).toBeDefined();
    expect([...admin.webContentsIds()]).toEqual([7]);
    expect(admin.isOwnUrl('file:///app/dist/renderer/index.html#/x')).toBe(true);
    expect(admin.isOwnUrl('file:///app/dist/renderer/other.html')).toBe(false);
    closed!();
    expect([...admin.webContentsIds()]).toEqual([]);
    expect(visibility).toEqual([true, false]);
  });
});
