/**
 * What the UI talks to: the contract's AdminApi plus two optional capabilities a transport may
 * add. The HTTP bridge reports the health of its event stream (it can drop and reconnect); the
 * Electron IPC bridge may offer a native save dialog. Everything else in the renderer depends
 * on this interface only, never on fetch or IPC.
 */
import type { AdminApi, ContractErrorCode } from '../../preload/contract/index.js';

/** `live` after every (re)connect: stores re-hydrate then, since events may have been missed. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface SaveableFile {
  fileName: string;
  base64: string;
}

export interface Bridge extends AdminApi {
  /** Event-stream health; absent when the transport cannot drop (IPC). */
  onLiveState?(listener: (state: LiveState) => void): () => void;
  /** Native save (Electron); absent means the UI downloads through the browser. */
  saveFile?(file: SaveableFile): Promise<void>;
}

/** A failed call, with the contract's stable code and a message that says what to do next. */
export class BridgeError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

export function errorCode(err: unknown): ContractErrorCode {
  return err instanceof BridgeError ? err.code : 'internal';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
