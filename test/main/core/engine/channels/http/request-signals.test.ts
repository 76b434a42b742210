/**
 * RequestSignals: a request's signal aborts with its caller's signal or on channel stop, and a
 * released request leaves nothing behind (no controller kept, no listener on the caller's signal).
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RequestSignals } from '../../../../../../main/core/engine/channels/http/request-signals.js';

describe('RequestSignals', () => {
  it('forwards the caller abort with its reason, and unhooks on release', () => {
    const signals = new RequestSignals();
    const outer = new AbortController();
    const { signal, release } = signals.open(outer.signal);
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller went away');
    outer.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    release();
    expect(signals.size).toBe(0);
  });

  it('abortAll aborts every open request; released ones are untouched and forgotten', () => {
    const signals = new RequestSignals();
    const outer = new AbortController();
    const done = signals.open(outer.signal);
    const live = signals.open(outer.signal);
    done.release();
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(1);
    expect(signals.size).toBe(1);
    signals.abortAll(new Error('HTTP_CHANNEL_STOPPED'));
    expect(live.signal.aborted).toBe(true);
    expect(done.signal.aborted).toBe(false);
    live.release();
    expect(signals.size).toBe(0);
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
  });

  it('an already-aborted caller signal gives an aborted request signal', () => {
    const outer = new AbortController();
    outer.abort(new Error('early'));
    const { signal, release } = new RequestSignals().open(outer.signal);
    expect(signal.aborted).toBe(true);
    release();
  });
});
