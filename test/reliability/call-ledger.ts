/**
 * The call invariant, checked by machine: every MCP call a client made gets exactly one outcome
 * (its real result, a well-formed JSON-RPC error, or a timeout only once its deadline passed),
 * no duplicate terminal response, and never another call's result (each call carries a unique
 * payload and the answer must echo it back under the caller's own id).
 */

export type Outcome =
  | { kind: 'result'; text: string | undefined }
  | { kind: 'rpc_error'; code: number; message: string; status: number }
  | { kind: 'timeout'; status: number }
  | { kind: 'ack'; status: number }
  /** The relay refused the call with an API error (e.g. 503 tunnel_client_not_connected). */
  | { kind: 'refused'; status: number; code: string | undefined }
  /** Anything malformed: a transport error toward the relay, an answer with a foreign id, … */
  | { kind: 'broken'; detail: string };

export type OutcomeKind = Outcome['kind'];

export interface LedgerEntry {
  readonly label: string;
  /** Expected text of the first content block (echo calls); undefined = any result. */
  readonly expectText: string | undefined;
  readonly startedAt: number;
  readonly outcomes: Outcome[];
  endedAt: number | undefined;
}

export interface LedgerOptions {
  /** The caller's deadline: a timeout before this (minus slack) is a violation. */
  deadlineMs: number;
  slackMs?: number;
  /** Outcome kinds that are acceptable besides result / rpc_error / timeout / ack. */
  alsoAllowed?: readonly OutcomeKind[];
  /** How many result latencies to keep (uniform reservoir sample). Default 10 000. */
  latencySample?: number;
}

const ALWAYS_ALLOWED: readonly OutcomeKind[] = ['result', 'rpc_error', 'timeout', 'ack'];
/** Violation lines kept verbatim; beyond that only counted (a broken soak must not grow). */
const MAX_VIOLATION_LINES = 1_000;

/**
 * Judges every outcome as it is settled and keeps only what a long soak can afford: the calls
 * still waiting for an outcome, counts by kind, the violation lines and a bounded uniform sample
 * of result latencies. Memory is O(in-flight calls), not O(calls made).
 */
export class CallLedger {
  readonly #options: LedgerOptions;
  readonly #allowed: Set<OutcomeKind>;
  readonly #pending = new Set<LedgerEntry>();
  readonly #violations: string[] = [];
  #droppedViolations = 0;
  readonly #counts: Record<string, number> = {};
  #calls = 0;
  readonly #latencies: number[] = [];
  #results = 0;

  constructor(options: LedgerOptions) {
    this.#options = options;
    this.#allowed = new Set([...ALWAYS_ALLOWED, ...(options.alsoAllowed ?? [])]);
  }

  /** Calls started so far. */
  get calls(): number {
    return this.#calls;
  }

  start(label: string, expectText?: string): LedgerEntry {
    const entry: LedgerEntry = {
      label,
      expectText,
      startedAt: performance.now(),
      outcomes: [],
      endedAt: undefined,
    };
    this.#calls++;
    this.#pending.add(entry);
    return entry;
  }

  settle(entry: LedgerEntry, outcome: Outcome): void {
    entry.outcomes.push(outcome);
    const where = `call ${entry.label}`;
    if (entry.endedAt === undefined) {
      entry.endedAt = performance.now();
      this.#pending.delete(entry);
      this.#counts[outcome.kind] = (this.#counts[outcome.kind] ?? 0) + 1;
      if (outcome.kind === 'result') this.#sampleLatency(entry.endedAt - entry.startedAt);
    } else {
      this.#violation(
        `${where}: ${entry.outcomes.length} terminal outcomes (${entry.outcomes.map((o) => o.kind).join(', ')})`,
      );
    }
    if (!this.#allowed.has(outcome.kind))
      this.#violation(`${where}: outcome ${JSON.stringify(outcome)} is not acceptable`);
    if (outcome.kind === 'result' && entry.expectText !== undefined && outcome.text !== entry.expectText)
      this.#violation(`${where}: answered with another result (${JSON.stringify(outcome.text)})`);
    if (outcome.kind === 'rpc_error' && !Number.isInteger(outcome.code))
      this.#violation(`${where}: JSON-RPC error without an integer code`);
    if (outcome.kind === 'timeout') {
      const elapsed = entry.endedAt - entry.startedAt;
      if (elapsed < this.#options.deadlineMs - (this.#options.slackMs ?? 250))
        this.#violation(`${where}: timed out after ${Math.round(elapsed)} ms, before its deadline`);
    }
  }

  /** Every violation of the call invariant so far, one line each (empty = all good). */
  violations(): string[] {
    const out = [...this.#violations];
    if (this.#droppedViolations > 0) out.push(`… and ${this.#droppedViolations} more violations`);
    for (const e of this.#pending) out.push(`call ${e.label}: no outcome`);
    return out;
  }

  /** Calls by the kind of their first outcome (`none` = still waiting). */
  counts(): Record<string, number> {
    const out = { ...this.#counts };
    if (this.#pending.size > 0) out.none = this.#pending.size;
    return out;
  }

  /** Latencies (ms) of calls answered with a result: all of them, or a uniform sample. */
  resultLatencies(): number[] {
    return [...this.#latencies];
  }

  #violation(line: string): void {
    if (this.#violations.length < MAX_VIOLATION_LINES) this.#violations.push(line);
    else this.#droppedViolations++;
  }

  /** Reservoir sampling (algorithm R): every result equally likely to be in the sample. */
  #sampleLatency(ms: number): void {
    const capacity = this.#options.latencySample ?? 10_000;
    this.#results++;
    if (this.#latencies.length < capacity) this.#latencies.push(ms);
    else {
      const slot = Math.floor(Math.random() * this.#results);
      if (slot < capacity) this.#latencies[slot] = ms;
    }
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
