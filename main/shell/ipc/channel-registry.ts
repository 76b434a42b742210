/**
 * The one registry of IPC channels between the admin window and the main process. Each contract
 * method has its own invoke channel (`mcp-tunnel/<method>`), so the allow-list is the channel
 * list itself; events travel on one channel to the windows that subscribed to them.
 *
 * The sandboxed preload cannot load this file at run time (its `require` knows only electron's
 * own modules), so preload/index.ts repeats the prefix and channel names; a test proves they match.
 */
import type { ContractEvent, ContractMethod } from '../../../preload/contract/methods.js';
import { CONTRACT_EVENTS, CONTRACT_METHODS } from '../../../preload/contract/methods.js';

export const IPC_PREFIX = 'mcp-tunnel/';

/** Channels other than the per-method ones. */
export const IPC_CHANNELS = {
  /** main → renderer: `(event: ContractEvent, payload)`. */
  event: `${IPC_PREFIX}event`,
  /** renderer → main (invoke): `(event: ContractEvent)`; start forwarding it to this window. */
  subscribe: `${IPC_PREFIX}subscribe`,
  /** renderer → main (invoke): `(event: ContractEvent)`; stop forwarding it. */
  unsubscribe: `${IPC_PREFIX}unsubscribe`,
  /** renderer → main (invoke): `({ fileName, base64 })`; native save dialog. */
  saveFile: `${IPC_PREFIX}save-file`,
} as const;

export function methodChannel(method: ContractMethod): string {
  return `${IPC_PREFIX}${method}`;
}

const METHODS: ReadonlySet<string> = new Set(CONTRACT_METHODS);
const EVENTS: ReadonlySet<string> = new Set(CONTRACT_EVENTS);

export function isContractMethod(value: unknown): value is ContractMethod {
  return typeof value === 'string' && METHODS.has(value);
}

export function isContractEvent(value: unknown): value is ContractEvent {
  return typeof value === 'string' && EVENTS.has(value);
}

/** Every invoke channel the router registers: one per contract method, plus the fixed ones. */
export function invokeChannels(): string[] {
  return [
    ...CONTRACT_METHODS.map((m) => methodChannel(m)),
    IPC_CHANNELS.subscribe,
    IPC_CHANNELS.unsubscribe,
    IPC_CHANNELS.saveFile,
  ];
}
