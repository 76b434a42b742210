/** In-process stand-ins for ipcMain, ipcRenderer and WebContents, shaped like Electron's. */
import type { IpcMainLike, RouterEvent, WebContentsLike } from '../../../../main/shell/ipc/ipc-router.js';
import type { IpcRendererLike } from '../../../../preload/index.js';

type Handler = (event: RouterEvent, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(event: RouterEvent, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
}

export class FakeWebContents implements WebContentsLike {
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;
  #onDestroyed: Array<() => void> = [];
  onSend?: (channel: string, args: unknown[]) => void;
  constructor(readonly id: number) {}
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    this.onSend?.(channel, args);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  once(_event: 'destroyed', listener: () => void): unknown {
    this.#onDestroyed.push(listener);
    return this;
  }
  destroy(): void {
    this.destroyed = true;
    for (const l of this.#onDestroyed) l();
  }
}

export function eventFrom(sender: FakeWebContents, url: string, parent: unknown = null): RouterEvent {
  return { sender, senderFrame: { url, parent } };
}

/** The renderer side: a preload ipcRenderer whose messages arrive at `ipcMain` from `sender`/`url`. */
export function rendererPair(ipcMain: FakeIpcMain, sender: FakeWebContents, url: string) {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const invoked: string[] = [];
  sender.onSend = (channel, args) => {
    for (const l of listeners.get(channel) ?? []) l({}, ...args);
  };
  const ipc: IpcRendererLike = {
    invoke: (channel, ...args) => {
      invoked.push(channel);
      return ipcMain.invoke(eventFrom(sender, url), channel, ...args);
    },
    on: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
    },
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  return { ipc, invoked };
}
