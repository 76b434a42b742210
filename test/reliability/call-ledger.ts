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
}

const ALWAYS_ALLOWED: readonly OutcomeKind[] = ['result', 'rpc_error', 'timeout', 'ack'];

export class CallLedger {
  readonly entries: LedgerEntry[] = [];
  readonly #options: LedgerOptions;
  readonly #allowed: Set<OutcomeKind>;

  constructor(options: LedgerOptions) {
    this.#options = options;
    this.#allowed = new Set([...ALWAYS_ALLOWED, ...(options.alsoAllowed ?? [])]);
  }

  start(label: string, expectText?: string): LedgerEntry {
    const entry: LedgerEntry = {
      label,
      expectText,
      startedAt: performance.now(),
      outcomes: [],
      endedAt: undefined,
    };
    this.entries.push(entry);
    return entry;
  }

  settle(entry: LedgerEntry, outcome: Outcome): void {
    entry.outcomes.push(outcome);
    entry.endedAt ??= performance.now();
  }

  /** Every violation of the call invariant so far, one line each (empty = all good). */
  violations(): string[] {
    const out: string[] = [];
    const slack = this.#options.slackMs ?? 250;
    for (const e of this.entries) {
      const where = `call ${e.label}`;
      if (e.outcomes.length === 0) {
        out.push(`${where}: no outcome`);
        continue;
      }
      if (e.outcomes.length > 1)
        out.push(
          `${where}: ${e.outcomes.length} terminal outcomes (${e.outcomes.map((o) => o.kind).join(', ')})`,
        );
      for (const o of e.outcomes) {
        if (!this.#allowed.has(o.kind)) out.push(`${where}: outcome ${JSON.stringify(o)} is not acceptable`);
        if (o.kind === 'result' && e.expectText !== undefined && o.text !== e.expectText)
          out.push(`${where}: answered with another result (${JSON.stringify(o.text)})`);
        if (o.kind === 'rpc_error' && !Number.isInteger(o.code))
          out.push(`${where}: JSON-RPC error without an integer code`);
        if (o.kind === 'timeout') {
          const elapsed = (e.endedAt ?? performance.now()) - e.startedAt;
          if (elapsed < this.#options.deadlineMs - slack)
            out.push(`${where}: timed out after ${Math.round(elapsed)} ms, before its deadline`);
        }
      }
    }
    return out;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) {
      const kind = e.outcomes[0]?.kind ?? 'none';
      out[kind] = (out[kind] ?? 0) + 1;
    }
    return out;
  }

  /** Latencies (ms) of calls answered with a result. */
  resultLatencies(): number[] {
    return this.entries
      .filter((e) => e.outcomes[0]?.kind === 'result' && e.endedAt !== undefined)
      .map((e) => e.endedAt! - e.startedAt);
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
