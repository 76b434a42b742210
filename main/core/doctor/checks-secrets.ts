/**
 * The secret checks of the doctor:
 *
 *   secrets   every env:/file:/keychain: reference resolves (named, never shown); a broken one
 *             that a higher-precedence setting replaces only warns
 *   keychain  the OS keychain stores and reads back (probe), when a keychain: reference is used;
 *             skipped otherwise
 */
import type { SecretStore } from '../secrets/secret-store.js';
import type { ResolveOutcome } from './checks-profile.js';
import { check, CHECK_IDS, skipped, type DoctorCheck } from './doctor-check.js';
import { describeUse, type SecretRefResult } from './secret-refs.js';

/** The `secrets` check, once the profile loaded. */
export function secretsCheck(results: readonly SecretRefResult[], outcome: ResolveOutcome): DoctorCheck {
  const evidence = results.map((r) =>
    r.ok ? `${describeUse(r)}: resolves` : `${describeUse(r)}: does not resolve`,
  );
  const broken = results.filter((r) => !r.ok);
  if (!outcome.ok && outcome.secret) {
    const named = broken[0];
    return check(CHECK_IDS.secrets, 'fail', 'A secret reference the tunnel needs does not resolve.', {
      why: outcome.error.message,
      evidence,
      nextStep:
        named?.problem ?? 'Provide the secret the message names, or point the setting at another reference.',
    });
  }
  if (results.length === 0) {
    return check(CHECK_IDS.secrets, 'pass', 'No secret references to resolve.', {
      why: 'The API key, if any, comes straight from CONTROL_PLANE_API_KEY / OPENAI_API_KEY.',
    });
  }
  if (broken.length > 0 && !outcome.ok) {
    return check(
      CHECK_IDS.secrets,
      'fail',
      `${broken.length} of ${results.length} secret reference(s) do not resolve.`,
      {
        why: broken.map((r) => `${describeUse(r)}: ${r.problem ?? 'unresolved'}`).join('\n'),
        evidence,
        nextStep: broken[0]?.problem,
      },
    );
  }
  if (broken.length > 0) {
    return check(
      CHECK_IDS.secrets,
      'warn',
      `${broken.length} of ${results.length} secret reference(s) do not resolve, but a higher-precedence setting replaces them.`,
      {
        why: broken.map((r) => `${describeUse(r)}: ${r.problem ?? 'unresolved'}`).join('\n'),
        evidence,
        nextStep:
          'Fix or remove the unused references, or they will break the profile as soon as the override (variable or flag) goes away.',
      },
    );
  }
  return check(CHECK_IDS.secrets, 'pass', `All ${results.length} secret reference(s) resolve.`, { evidence });
}

/** The `keychain` check: probe only when a keychain: reference is used. */
export async function keychainCheck(
  results: readonly SecretRefResult[],
  keychain: SecretStore | undefined,
): Promise<DoctorCheck> {
  const uses = results.filter((r) => r.ref.kind === 'keychain');
  if (uses.length === 0)
    return skipped(CHECK_IDS.keychain, 'No keychain: reference is used; the OS keychain is not needed.');
  const evidence = uses.map(describeUse);
  const fallback =
    'Store the secrets in files readable only by you (file:/path, mode 0600) or in environment variables (env:NAME) instead.';
  if (!keychain) {
    return check(
      CHECK_IDS.keychain,
      'fail',
      'keychain: references are used, but no OS keychain is available here.',
      {
        why: 'This process has no keychain store (keytar is not installed or the platform has none).',
        evidence,
        nextStep: fallback,
      },
    );
  }
  const probe = await keychain.probe().catch((err: unknown) => ({
    ok: false as const,
    code: 'keychain_unavailable' as const,
    message: (err as Error).message,
  }));
  if (probe.ok) {
    return check(CHECK_IDS.keychain, 'pass', 'The OS keychain stores and reads back secrets.', {
      evidence: [`store: ${keychain.kind}`, ...evidence],
    });
  }
  return check(
    CHECK_IDS.keychain,
    'fail',
    probe.code === 'keychain_locked' ? 'The OS keychain is locked.' : 'The OS keychain is unavailable.',
    {
      why: probe.message,
      evidence: [`store: ${keychain.kind}`, `failure: ${probe.code}`, ...evidence],
      nextStep:
        probe.code === 'keychain_locked'
          ? `Unlock the keychain (log in to the desktop session, or run gnome-keyring-daemon --unlock), then run the doctor again. ${fallback}`
          : `Install or start the OS keychain service (Secret Service / gnome-keyring on Linux), or: ${fallback}`,
    },
  );
}
