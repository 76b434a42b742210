import type { PolledCommand, ResponsePayload, TunnelMetadata } from '../protocol/wire.js';

/** A command the decoder refused, with why (logged; never dispatched). */
export interface DroppedCommand {
  requestId?: string;
  reason: string;
}

/** A command of a type this client does not know: logged and skipped, polling goes on. */
export interface SkippedCommand {
  requestId?: string;
  commandType: string;
}

export interface PollResult {
  /** Monotonic receipt time (ms, from the injected clock), stamped when headers arrived, before decoding. */
  receivedAt: number;
  commands: PolledCommand[];
  dropped: DroppedCommand[];
  skipped: SkippedCommand[];
}

export interface PollOptions {
  /** 1..25: a hint; every returned command must still be processed. */
  limit: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export type RespondKind = 'terminal' | 'notify';

export interface RespondOptions {
  shardToken: string;
  kind: RespondKind;
  signal: AbortSignal;
  /** Monotonic deadline (ms) of the command; retries never run past it. */
  deadline?: number;
  /**
   * The payload already serialized by `encodeResponsePayload` (payload-body.ts): sent as is, so
   * a caller that needs the body's sizes does not serialize it twice. Default: serialized here.
   */
  body?: Buffer;
}

/** `ok`: accepted. `gone`: 404, already fulfilled or expired: terminal, never replay the MCP call. */
export type RespondResult = 'ok' | 'gone';

/** Stable categories of control-plane failures. */
export type ControlPlaneErrorCode =
  | 'auth' // 401 / 403: operator action needed
  | 'rate_limited' // 429
  | 'unavailable' // 5xx
  | 'bad_request' // other 4xx
  | 'network' // connection, DNS, TLS, reset, timeout before a response
  | 'protocol'; // a response we cannot decode

export interface ControlPlaneClient {
  getTunnel(signal: AbortSignal): Promise<TunnelMetadata>;
  poll(options: PollOptions): Promise<PollResult>;
  respond(payload: ResponsePayload, options: RespondOptions): Promise<RespondResult>;
  close(): Promise<void>;
}
