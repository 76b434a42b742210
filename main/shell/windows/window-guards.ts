/**
 * What a window's web contents may do beyond showing our renderer: nothing.
 *   - navigation away (links, form posts, redirects) is denied; http(s) links open in the
 *     system browser instead (checklist 13, 15)
 *   - window.open / target=_blank is denied, with the same external-link rule (14)
 *   - <webview> is never attached (11, 12)
 *   - every permission request and check is refused (5)
 */
import { isSafeExternalUrl } from './window-options.js';

interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's WebContents the guards use. */
export interface GuardableContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: PreventableEvent, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The part of Electron's Session the guards use. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler:
      ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface GuardOptions {
  openExternal: (url: string) => Promise<void> | void;
  /** URLs of our own renderer (the hash may change); navigation to them is allowed. */
  isOwnUrl: (url: string) => boolean;
}

export function guardWebContents(contents: GuardableContents, options: GuardOptions): void {
  const external = (url: string): void => {
    if (isSafeExternalUrl(url)) void Promise.resolve(options.openExternal(url)).catch(() => undefined);
  };
  contents.on('will-navigate', (event, url) => {
    if (options.isOwnUrl(url)) return;
    event.preventDefault();
    external(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!options.isOwnUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    external(url);
    return { action: 'deny' };
  });
}

export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
