/** A Clock the test drives: time moves only when the code under test sleeps or the test says so. */
import type { Clock } from '../../../../../main/core/runtime/clock.js';

export class ManualClock implements Clock {
  nowMs = 1_000;
  wallMs = Date.UTC(2026, 0, 1, 12, 0, 0);
  readonly sleeps: number[] = [];
  /** Runs inside every sleep, before time advances (start a server, abort a signal, …). */
  onSleep?: (ms: number) => Promise<void> | void;

  now(): number {
    return this.nowMs;
  }

  wallNow(): number {
    return this.wallMs;
  }

  advance(ms: number): void {
    this.nowMs += ms;
    this.wallMs += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    await this.onSleep?.(ms);
    if (signal?.aborted) throw signal.reason;
    this.advance(ms);
  }
}
