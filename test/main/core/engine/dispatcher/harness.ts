/** A dispatcher wired to fakes, plus checks shared by the dispatcher tests. */
import { expect } from 'vitest';
import { createDispatcher } from '../../../../../main/core/engine/dispatcher/dispatcher.js';
import type {
  CommandRecord,
  Dispatcher,
  DispatcherOptions,
} from '../../../../../main/core/engine/dispatcher/types.js';
import type { ResponsePayload } from '../../../../../main/core/engine/protocol/wire.js';
import { schemaErrors, tunnelFailureErrors } from '../../../../support/openapi.js';
import { FakeChannel } from '../fakes/fake-channel.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeControlPlaneClient } from '../fakes/fake-control-plane-client.js';

export interface Harness {
  clock: FakeClock;
  client: FakeControlPlaneClient;
  main: FakeChannel;
  dispatcher: Dispatcher;
  records: CommandRecord[];
  recordFor(requestId: string): CommandRecord | undefined;
}

export function makeHarness(
  options: Partial<Omit<DispatcherOptions, 'client' | 'channels' | 'clock' | 'onRecord'>> & {
    extraChannels?: FakeChannel[];
  } = {},
): Harness {
  const clock = new FakeClock();
  const client = new FakeControlPlaneClient(() => clock.now());
  const main = new FakeChannel('main');
  main.state = 'ready';
  const channels = new Map<string, FakeChannel>([[main.name, main]]);
  for (const c of options.extraChannels ?? []) channels.set(c.name, c);
  const records: CommandRecord[] = [];
  const { extraChannels: _extra, ...rest } = options;
  const dispatcher = createDispatcher({
    client,
    channels,
    clock,
    onRecord: (r) => records.push(r),
    ...rest,
  });
  return {
    clock,
    client,
    main,
    dispatcher,
    records,
    recordFor: (id) => records.find((r) => r.requestId === id),
  };
}

/** Every payload is valid against the contract, and so is any tunnel_failure inside it. */
export function expectValidPayload(payload: ResponsePayload): void {
  expect(schemaErrors('TunnelResponsePayload', payload)).toBeNull();
  const error = (payload.resp_json as { error?: { data?: { tunnel_failure?: unknown } } } | undefined)?.error;
  const failure = error?.data?.tunnel_failure;
  if (failure !== undefined) expect(tunnelFailureErrors(failure)).toBeNull();
}

/** Wait (bounded) until `check` holds, flushing microtasks between tries. */
export async function until(check: () => boolean, what: string, clock: FakeClock): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (check()) return;
    await clock.advance(0);
  }
  throw new Error(`timed out waiting for ${what}`);
}
