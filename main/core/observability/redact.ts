/**
 * Redaction at the point of ingestion. Anything that can carry a secret is masked before it is
 * stored anywhere (ring buffer, files, bundles, metrics labels, error messages).
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are always secret, compared case-insensitively on a normalized key. */
const SECRET_KEY =
  /(authorization|api[-_]?key|token|secret|password|passwd|cookie|shard[-_]?token|private[-_]?key|credential|session[-_]?id)/i;

/** Shapes of secrets that can appear inside free text. */
const TEXT_PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values and bearer tokens.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  // OpenAI-style and generic API keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Our own token shapes (relay runtime keys and connector tokens).
  [/\bmcpt_[a-z]+_[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Credentials in URLs: scheme://user:pass@host
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`],
  // key=value pairs whose key looks secret (query strings, env dumps).
  [
    /\b([A-Za-z0-9_-]*(?:token|secret|password|api[_-]?key|apikey)[A-Za-z0-9_-]*)=([^\s&"']+)/gi,
    `$1=${REDACTED}`,
  ],
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
];

/** Extra literal secrets to mask wherever they appear (e.g. the resolved runtime key). */
const knownSecrets = new Set<string>();

/** Register a secret value (at least 8 characters) so every later log line masks it. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) knownSecrets.add(value);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Deep copy with secret-named fields masked and secret shapes removed from strings. */
export function redactFields<T>(value: T, depth = 0): T {
  if (depth > 8) return '[…]' as T;
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactFields(v, depth + 1)) as T;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) } as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) && holdsText(v) ? REDACTED : redactFields(v, depth + 1);
    }
    return out as T;
  }
  return value;
}

function holdsText(v: unknown): boolean {
  if (typeof v === 'string') return v !== '';
  return Array.isArray(v) && v.some((item) => typeof item === 'string' && item !== '');
}
