/**
 * A doctor report as text for people (CLI, support bundle README):
 *
 *   Doctor: profile 'work'
 *     ✓ profile                   The configuration from profile 'work' loads and validates.
 *     ✗ control_plane_metadata    The control plane refused fetching the tunnel metadata: …
 *         why        …
 *         evidence   request: GET https://…
 *                    HTTP 403 tunnel_use_forbidden
 *         next step  …
 *   Result: 1 failed, 0 warnings, 7 passed, 1 skipped.
 *
 * Markers: ✓ pass, ! warn, ✗ fail, - skip. `explain` adds why / evidence / next step.
 */
import type { CheckStatus, DoctorReport } from '../../../preload/contract/dto.js';

export const STATUS_MARKERS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

export function formatDoctorReport(report: DoctorReport, options: { explain?: boolean } = {}): string {
  const width = Math.max(...report.checks.map((c) => c.id.length), 10) + 2;
  const lines = [`Doctor: ${report.profile === 'env' ? 'the environment' : `profile '${report.profile}'`}`];
  for (const c of report.checks) {
    lines.push(`  ${STATUS_MARKERS[c.status]} ${c.id.padEnd(width)}${c.summary}`);
    if (!options.explain) continue;
    const detail = (label: string, text: string | undefined): void => {
      if (!text) return;
      text.split('\n').forEach((line, i) => lines.push(`      ${(i === 0 ? label : '').padEnd(11)}${line}`));
    };
    detail('why', c.why);
    detail('evidence', c.evidence);
    detail('next step', c.nextStep);
  }
  const count = (s: CheckStatus): number => report.checks.filter((c) => c.status === s).length;
  lines.push(
    `Result: ${count('fail')} failed, ${count('warn')} warning(s), ${count('pass')} passed, ${count('skip')} skipped.`,
  );
  if (!options.explain && (count('fail') > 0 || count('warn') > 0))
    lines.push('Run again with --explain for why, the evidence and the next step of each check.');
  return `${lines.join('\n')}\n`;
}
