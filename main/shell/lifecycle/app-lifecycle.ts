/**
 * Process lifecycle of the tray app:
 *   - one instance: a second launch hands over to the first (which focuses its window) and exits
 *   - no window open → no dock icon on macOS (the tray is the app); a window shows it again
 *   - closing the last window keeps the app in the tray
 *   - quit runs the shutdown once (every tunnel and child stopped), bounded, then really quits:
 *       running ──before-quit──▶ shutting down (quit deferred) ──done or timeout──▶ quitting
 */

/** The part of Electron's `app` used here. */
export interface LifecycleApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  quit(): void;
}

export interface DockLike {
  show(): Promise<void> | void;
  hide(): void;
}

/** False when another instance runs: exit at once (it has been told to show itself). */
export function claimSingleInstance(app: LifecycleApp, onSecondInstance: (argv: string[]) => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', (_event, argv) => onSecondInstance(argv));
  return true;
}

/** macOS: the dock icon follows whether a window is open. No-op elsewhere (dock undefined). */
export function dockFollowsWindows(dock: DockLike | undefined): (windowOpen: boolean) => void {
  return (open) => {
    if (!dock) return;
    if (open) void Promise.resolve(dock.show()).catch(() => undefined);
    else dock.hide();
  };
}

export interface QuitOptions {
  shutdown: () => Promise<void>;
  /** Quit anyway after this long (default 10 s). */
  timeoutMs?: number;
  onError?: (err: unknown) => void;
  schedule?: (run: () => void, ms: number) => () => void;
}

export function installQuitHandling(app: LifecycleApp, options: QuitOptions): void {
  let phase: 'running' | 'shutting-down' | 'quitting' = 'running';
  app.on('window-all-closed', () => {
    // Stay in the tray: registering this listener replaces Electron's default quit.
  });
  app.on('before-quit', (event) => {
    if (phase === 'quitting') return;
    event.preventDefault();
    if (phase === 'shutting-down') return;
    phase = 'shutting-down';
    const schedule =
      options.schedule ??
      ((run: () => void, ms: number) => {
        const t = setTimeout(run, ms);
        return () => clearTimeout(t);
      });
    let cancel = (): void => undefined;
    const timedOut = new Promise<void>((resolve) => {
      cancel = schedule(resolve, options.timeoutMs ?? 10_000);
    });
    void Promise.race([options.shutdown().catch((err: unknown) => options.onError?.(err)), timedOut]).then(
      () => {
        cancel();
        phase = 'quitting';
        app.quit();
      },
    );
  });
}
