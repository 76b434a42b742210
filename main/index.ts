/**
 * Composition root of the desktop app (Electron main process): builds the core exactly as the
 * daemon does (main/shell/shell-core.ts), then the thin shell around it: tray, admin window,
 * IPC router, notifications, log files, start at login, single instance and clean quit.
 * Nothing here is logic worth testing on its own: each piece lives in main/shell with its tests.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  Notification,
  session,
  shell,
  Tray,
} from 'electron';
import { createFileLogSink } from './core/observability/file-log.js';
import { LogHub } from './core/observability/logger.js';
import { createKeychainStore } from './core/secrets/keychain-store.js';
import { addTunnelToCodex } from './shell/codex-action.js';
import { configureElectronLog, createElectronLogSink, loadElectronLog } from './shell/electron-log-sink.js';
import { registerIpcRouter } from './shell/ipc/ipc-router.js';
import { createSenderCheck } from './shell/ipc/sender-check.js';
import {
  claimSingleInstance,
  dockFollowsWindows,
  installQuitHandling,
} from './shell/lifecycle/app-lifecycle.js';
import { createStartAtLogin, HIDDEN_ARG } from './shell/lifecycle/start-at-login.js';
import { NotificationRules } from './shell/notification-rules.js';
import { buildShellCore } from './shell/shell-core.js';
import type { TrayAction } from './shell/tray/render-tray.js';
import { TrayService } from './shell/tray/tray-service.js';
import { denyAllPermissions } from './shell/windows/window-guards.js';
import { AdminWindow } from './shell/windows/admin-window.js';

/** start.mjs waits for this line to know Electron started (else it falls back to the daemon). */
export const SHELL_READY_LINE = 'MCP Tunnel tray is running';

const root = fileURLToPath(new URL('../../', import.meta.url)); // dist/main/index.js → app root
const paths = {
  indexHtml: join(root, 'dist', 'renderer', 'index.html'),
  uiDir: join(root, 'dist', 'renderer'),
  preload: join(root, 'dist', 'preload-cjs', 'index.js'),
  trayIcons: join(root, 'assets', 'tray'),
};

async function main(): Promise<void> {
  const shown: { admin?: AdminWindow } = {};
  if (!claimSingleInstance(app, () => void shown.admin?.open())) {
    app.exit(0); // another instance runs and was told to show itself
    return;
  }
  if (process.platform === 'win32') app.setAppUserModelId('dev.mcptunnel.app');
  const showDock = dockFollowsWindows(app.dock);
  await app.whenReady();
  showDock(false);

  const hub = new LogHub({ level: 'info' });
  const electronLog = await loadElectronLog();
  let closeFileLog = async (): Promise<void> => undefined;
  if (electronLog) {
    configureElectronLog(electronLog, app.getPath('logs'));
    hub.addSink(createElectronLogSink(electronLog));
  } else {
    const fileLog = createFileLogSink({ dir: app.getPath('logs') });
    hub.addSink(fileLog.sink);
    closeFileLog = () => fileLog.close();
  }
  const log = hub.logger('shell');
  denyAllPermissions(session.defaultSession);

  const core = await buildShellCore({
    hub,
    env: process.env,
    keychain: createKeychainStore({ logger: hub.logger('keychain') }),
    uiDir: paths.uiDir,
  });
  const { manager, service } = core.daemon;

  const window = new AdminWindow({
    createWindow: (options) => new BrowserWindow(options),
    indexHtmlPath: paths.indexHtml,
    preloadPath: paths.preload,
    openExternal: (url) => shell.openExternal(url),
    onVisibilityChange: showDock,
  });
  shown.admin = window;

  const router = registerIpcRouter({
    ipcMain,
    service,
    isTrustedSender: createSenderCheck({
      rendererUrl: window.entryUrl,
      ownWebContents: () => window.webContentsIds(),
    }),
    saveFile: async (file) => {
      const chosen = await dialog.showSaveDialog({
        defaultPath: join(app.getPath('downloads'), file.fileName),
      });
      if (!chosen.canceled && chosen.filePath)
        await writeFile(chosen.filePath, Buffer.from(file.base64, 'base64'), { mode: 0o600 });
    },
    logger: hub.logger(),
  });

  const notify = (title: string, body: string): void => {
    if (Notification.isSupported()) new Notification({ title, body }).show();
  };
  const rules = new NotificationRules();
  const stopNotices = manager.onChange((summary) => {
    for (const n of rules.next(summary)) notify(n.title, n.body);
  });

  const login = createStartAtLogin({
    platform: process.platform,
    app,
    execPath: process.env.APPIMAGE ?? process.execPath,
    autostartDir: join(process.env.XDG_CONFIG_HOME ?? join(app.getPath('home'), '.config'), 'autostart'),
  });

  const dispatch = async (action: TrayAction): Promise<void> => {
    switch (action.type) {
      case 'set-tunnel':
        await (action.on ? manager.start(action.id) : manager.stop(action.id));
        return;
      case 'open-admin':
        return window.open();
      case 'open-wizard':
        return window.open('/wizard');
      case 'add-to-codex': {
        const done = await addTunnelToCodex(manager.get(action.id).summary(), {
          env: process.env,
          connectorToken: (id) => manager.get(id).spec.connectorToken,
        });
        notify(`Added to Codex as ${done.name}`, done.notes.join(' '));
        return;
      }
      case 'copy-mcp-url': {
        const url = manager.get(action.id).summary().mcpUrl;
        if (url) void clipboard.writeText(url);
        return;
      }
      case 'set-start-at-login':
        return login.set(action.on);
      case 'quit':
        return app.quit();
    }
  };

  const tray = new TrayService({
    createTray: (image) => new Tray(image),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    iconDir: paths.trayIcons,
    platform: process.platform,
    source: { summaries: () => manager.summaries(), onChange: (l) => manager.onChange(l) },
    startAtLogin: () => login.get(),
    dispatch,
    logger: hub.logger(),
  });
  tray.start();

  installQuitHandling(app, {
    shutdown: async () => {
      log.info('quitting: stopping every tunnel');
      stopNotices();
      tray.dispose();
      router.dispose();
      await core.close();
      await closeFileLog();
    },
    onError: (err) => log.error('shutdown failed', { error: err as Error }),
  });

  await manager.startEnabled();
  if (!process.argv.includes(HIDDEN_ARG)) await window.open();
  log.info('tray app started', { tunnels: manager.ids().length });
  process.stdout.write(`${SHELL_READY_LINE}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`MCP Tunnel could not start: ${(err as Error).stack ?? String(err)}\n`);
  app.exit(1);
});
