/**
 * Secrets in profiles are references (`env:NAME`, `file:/path`, `keychain:NAME`), never
 * literals. This module decides what counts as a literal secret and words the refusal. The
 * refusal names the key and the file and says how to store the value; it never echoes it.
 */
import { redactText } from '../observability/redact.js';
import { parseSecretRef } from '../secrets/secret-ref.js';
import { ProfileError } from './profile-errors.js';

/** Header or variable names whose values are secrets (Authorization, Cookie, *token*, *key*, *secret*…). */
const SECRET_NAME = /(authorization|cookie|token|key|secret|passw(or)?d|credential|session)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A valid reference: env:NAME (shell variable name), file:/path, keychain:NAME. */
export function isSecretRef(value: string): boolean {
  const ref = parseSecretRef(value);
  if (!ref) return false;
  if (ref.kind === 'env') return /^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.name.trim());
  if (ref.kind === 'file') return ref.path.trim() !== '';
  return ref.name.trim() !== '';
}

/**
 * True when a value has the shape of a secret wherever it appears: API keys (sk-…), relay
 * tokens, bearer credentials, passwords in URLs, PEM private keys.
 */
export function looksLikeSecretValue(value: string): boolean {
  if (isSecretRef(value)) return false;
  return redactText(value) !== value;
}

export type SecretAction = 'saved' | 'loaded';

export interface LiteralSecretContext {
  /** Profile name, for the `mcp-tunnel profiles edit NAME` hint. */
  profileName: string;
  /** The file as shown to the user (e.g. ~/.config/mcp-tunnel/profiles/work.yaml). */
  file: string;
  action: SecretAction;
}

/** The refusal for a literal secret at `keyPath`; the value itself is never part of it. */
export function literalSecretError(keyPath: string, ctx: LiteralSecretContext): ProfileError {
  const tail =
    ctx.action === 'saved'
      ? 'it was not saved.'
      : 'the profile was not loaded; replace the value in the file with a reference.';
  const how =
    keyPath === 'control_plane.api_key'
      ? `Store it with \`mcp-tunnel profiles edit ${ctx.profileName} --api-key-ref env:CONTROL_PLANE_API_KEY\` (and export CONTROL_PLANE_API_KEY) or put it in a file and use file:/path`
      : `Use a reference instead: env:NAME (an environment variable holding it), file:/path (a file holding it, mode 0600) or keychain:NAME`;
  return new ProfileError(
    'profile_literal_secret',
    `${keyPath} in ${ctx.file} holds a literal secret. ${how}; ${tail}`,
    { file: ctx.file, keyPath },
  );
}
