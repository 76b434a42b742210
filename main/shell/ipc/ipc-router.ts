/**
 * The IPC router: registers one `ipcMain.handle` per contract method (plus subscribe,
 * unsubscribe and save-file), and for every message
 *   1. checks the sender is one of our windows (sender-check.ts)      else `forbidden`
 *   2. checks the payload's shape: one plain object (or nothing)      else `bad_request`
 *   3. calls the admin service, which validates the fields and answers the contract result.
 * Handlers never throw: the renderer always receives `{ ok, result } | { ok: false, error }`.
 * Contract events are forwarded only to windows that subscribed to them.
 */
import type { ContractError, ContractEvent, ContractResult } from '../../../preload/contract/index.js';
import { CONTRACT_METHODS } from '../../../preload/contract/methods.js';
import type { AdminService } from '../../core/admin/admin-service.js';
import { silentLogger, type Logger } from '../../core/observability/logger.js';
import { IPC_CHANNELS, isContractEvent, methodChannel } from './channel-registry.js';
import type { SenderCheck, SenderLike } from './sender-check.js';

/** The WebContents that sent a message, as far as the router uses it (Electron's WebContents fits). */
export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface RouterEvent extends SenderLike {
  sender: WebContentsLike;
}

/** The part of Electron's `ipcMain` the router uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: RouterEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface SaveableFile {
  fileName: string;
  base64: string;
}

export interface IpcRouterOptions {
  ipcMain: IpcMainLike;
  service: Pick<AdminService, 'invoke' | 'subscribe'>;
  isTrustedSender: SenderCheck;
  /** Native save dialog for the UI's downloads (support bundle); absent → `unavailable`. */
  saveFile?: (file: SaveableFile, sender: WebContentsLike) => Promise<void>;
  logger?: Logger;
}

export interface IpcRouter {
  /** Channels registered, for tests and diagnostics. */
  channels: string[];
  dispose(): void;
}

const MAX_KEYS = 64;
const MAX_FILE_NAME = 200;

function failure(code: ContractError['code'], message: string): ContractResult<never> {
  return { ok: false, error: { code, message } };
}

const FOREIGN = failure(
  'forbidden',
  'This message did not come from an MCP Tunnel window; it was ignored. Reopen MCP Tunnel from the tray.',
);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The params of a contract call: nothing, or one plain object of at most MAX_KEYS keys. */
export function paramsProblem(args: unknown[]): string | undefined {
  if (args.length > 1) return 'A call takes one parameters object.';
  const params = args[0];
  if (params === undefined) return undefined;
  if (!isPlainObject(params)) return 'Parameters must be a plain object.';
  if (Object.keys(params).length > MAX_KEYS) return `Parameters may have at most ${MAX_KEYS} fields.`;
  return undefined;
}

export function saveFileProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'save-file takes { fileName, base64 }.';
  const { fileName, base64 } = value;
  if (
    typeof fileName !== 'string' ||
    fileName === '' ||
    fileName.length > MAX_FILE_NAME ||
    /[\\/\0]/.test(fileName)
  )
    return 'fileName must be a plain file name (no folders).';
  if (typeof base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64))
    return 'base64 must be base64 text.';
  return undefined;
}

export function registerIpcRouter(options: IpcRouterOptions): IpcRouter {
  const { ipcMain, service, isTrustedSender } = options;
  const log = (options.logger ?? silentLogger).child('shell/ipc');
  const subscribers = new Map<number, { target: WebContentsLike; events: Set<ContractEvent> }>();
  const channels: string[] = [];

  const handle = (
    channel: string,
    body: (event: RouterEvent, args: unknown[]) => Promise<ContractResult<unknown>>,
  ): void => {
    channels.push(channel);
    ipcMain.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event)) {
        log.warn('IPC message from a foreign sender rejected', {
          channel,
          url: event.senderFrame?.url.split(/[?#]/)[0] ?? '',
        });
        return FOREIGN;
      }
      try {
        return await body(event, args);
      } catch (err) {
        log.error('IPC handler failed', { channel, error: err as Error });
        return failure('internal', 'The call failed inside MCP Tunnel; see the logs for details.');
      }
    });
  };

  for (const method of CONTRACT_METHODS) {
    handle(methodChannel(method), async (_event, args) => {
      const problem = paramsProblem(args);
      if (problem) return failure('bad_request', problem);
      return service.invoke(method, args[0] ?? {});
    });
  }

  const subscription = (add: boolean) => async (event: RouterEvent, args: unknown[]) => {
    const [name] = args;
    if (args.length !== 1 || !isContractEvent(name))
      return failure('bad_request', 'Subscribe to one of the contract events by name.');
    const target = event.sender;
    let entry = subscribers.get(target.id);
    if (add && !entry) {
      entry = { target, events: new Set() };
      subscribers.set(target.id, entry);
      target.once('destroyed', () => subscribers.delete(target.id));
    }
    if (add) entry?.events.add(name);
    else entry?.events.delete(name);
    return { ok: true as const, result: { subscribed: add } };
  };
  handle(IPC_CHANNELS.subscribe, subscription(true));
  handle(IPC_CHANNELS.unsubscribe, subscription(false));

  handle(IPC_CHANNELS.saveFile, async (event, args) => {
    const problem = args.length === 1 ? saveFileProblem(args[0]) : 'save-file takes one argument.';
    if (problem) return failure('bad_request', problem);
    if (!options.saveFile) return failure('unavailable', 'Saving files is not available in this window.');
    await options.saveFile(args[0] as SaveableFile, event.sender);
    return { ok: true, result: {} };
  });

  const stopForwarding = service.subscribe((name, payload) => {
    for (const [id, { target, events }] of subscribers) {
      if (!events.has(name)) continue;
      if (target.isDestroyed()) {
        subscribers.delete(id);
        continue;
      }
      target.send(IPC_CHANNELS.event, name, payload);
    }
  });

  return {
    channels,
    dispose() {
      stopForwarding();
      for (const channel of channels) ipcMain.removeHandler(channel);
      subscribers.clear();
    },
  };
}
