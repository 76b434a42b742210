/**
 * Building blocks of a doctor report: check constructors and the scrubber every report passes
 * through before anyone sees it. Checks carry words for the operator (summary, why, evidence,
 * next step) and never a secret: the scrubber masks every secret value the run resolved (API
 * key, header values, secret-named child variables, anything behind an env:/file:/keychain:
 * reference) plus the shapes the log redactor knows, in every field of every check.
 */
import type { CheckStatus, DoctorCheck } from '../../../preload/contract/dto.js';
import { REDACTED, redactText } from '../observability/redact.js';

export type { CheckStatus, DoctorCheck, DoctorReport } from '../../../preload/contract/dto.js';

/** The stable check ids, in report order (channel checks are `channel:<name>:preflight|initialize`). */
export const CHECK_IDS = {
  profile: 'profile',
  secrets: 'secrets',
  keychain: 'keychain',
  metadata: 'control_plane_metadata',
  poll: 'control_plane_poll',
  adminListener: 'admin_listener',
} as const;

export function channelCheckId(channel: string, step: 'preflight' | 'initialize'): string {
  return `channel:${channel}:${step}`;
}

export interface CheckDetails {
  why?: string | undefined;
  evidence?: string | readonly string[] | undefined;
  nextStep?: string | undefined;
}

export function check(
  id: string,
  status: CheckStatus,
  summary: string,
  details: CheckDetails = {},
): DoctorCheck {
  const out: DoctorCheck = { id, status, summary };
  if (details.why) out.why = details.why;
  const evidence = Array.isArray(details.evidence)
    ? details.evidence.filter((line) => line !== '').join('\n')
    : (details.evidence as string | undefined);
  if (evidence) out.evidence = evidence;
  if (details.nextStep) out.nextStep = details.nextStep;
  return out;
}

/** A check that did not run because `needs` (an earlier check) failed or does not apply. */
export function skipped(id: string, reason: string): DoctorCheck {
  return { id, status: 'skip', summary: reason };
}

/** Shortest secret value masked literally; shorter values are too likely to be ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Collects secret values seen during a run and masks them (and known secret shapes) in text. */
export class Scrubber {
  readonly #values = new Set<string>();

  add(value: string | undefined): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) this.#values.add(trimmed);
    // `Bearer xyz`: the credential alone may be echoed somewhere too.
    const bearer = /^bearer\s+(\S+)$/i.exec(trimmed);
    if (bearer?.[1] && bearer[1].length >= MIN_SECRET_LENGTH) this.#values.add(bearer[1]);
  }

  text(text: string): string {
    let out = text;
    // Longest first, so a value containing another is masked whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    return redactText(out);
  }

  check(c: DoctorCheck): DoctorCheck {
    const out: DoctorCheck = { id: c.id, status: c.status, summary: this.text(c.summary) };
    if (c.why !== undefined) out.why = this.text(c.why);
    if (c.evidence !== undefined) out.evidence = this.text(c.evidence);
    if (c.nextStep !== undefined) out.nextStep = this.text(c.nextStep);
    return out;
  }
}

/** Text from elsewhere (a server's error message, a stderr line): one line, bounded. */
export function quote(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A URL as shown in a report: no credentials, no query or fragment. */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
