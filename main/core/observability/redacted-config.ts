/**
 * The effective configuration as it is safe to show or share: every secret replaced by
 * `[REDACTED]`, everything else kept in the same structure.
 *
 *   apiKey, *KeyPem, secret-named fields      → "[REDACTED]"
 *   certificates / CA bundles (*Pem)          → { present, sha256, subject, not_after } per cert
 *   extraHeaders / headers / env values       → "[REDACTED]" (the names stay)
 *   URLs (url, baseUrl, proxyUrl, …Url)       → no user:password, query replaced by "?[REDACTED]"
 *   argv                                      → secret shapes removed; the value after a
 *                                               secret-named flag (--token X) is redacted
 *   anything else                             → redactFields (secret names, secret shapes)
 *
 * Works on any plain object, so profile shapes and future config fields are covered too; unknown
 * keys fall back to the generic redaction rather than being passed through.
 */
import { X509Certificate } from 'node:crypto';
import type { TunnelConfig } from '../engine/config.js';
import { jsonSafeReplacer } from './file-log-format.js';
import { REDACTED, isSecretKey, redactFields, redactText } from './redact.js';

export type RedactedConfig = Record<string, unknown>;

/** `sections` adds extra plain top-level parts (health, log, meta, …), redacted the same way. */
export function redactedConfig(config: TunnelConfig, sections: Record<string, unknown> = {}): RedactedConfig {
  const out = redactValue(config, '', 0);
  const base: RedactedConfig =
    out && typeof out === 'object' && !Array.isArray(out) ? (out as RedactedConfig) : {};
  for (const [key, value] of Object.entries(sections)) base[key] = redactValue(value, key, 0);
  // Round-trip once so the result is guaranteed JSON-safe (no bigint, undefined or class instances).
  return JSON.parse(JSON.stringify(base, jsonSafeReplacer)) as RedactedConfig;
}

/** The same rules for any value (a profile, a settings object); the result is JSON-safe. */
export function redactConfigValue(value: unknown): unknown {
  const out = redactValue(value, '', 0);
  return out === undefined ? null : (JSON.parse(JSON.stringify(out, jsonSafeReplacer)) as unknown);
}

const MAX_DEPTH = 12;
const MAP_OF_SECRETS = /^(extra_?headers|headers|env|environment|env_?vars)$/i;
const URL_KEY = /(^url$|url$|_url$|^endpoint$|^server_?url$)/i;
const PEM_KEY = /pem$/i;
const ARGV_KEY = /^(argv|args|command)$/i;

function redactValue(value: unknown, key: string, depth: number): unknown {
  if (depth > MAX_DEPTH) return '[…]';
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return redactString(value, key);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) {
    if (ARGV_KEY.test(key)) return redactArgv(value);
    return value.map((item: unknown) => redactValue(item, key, depth + 1));
  }
  if (typeof value === 'object') {
    if (value instanceof Error) return redactFields(value);
    const out: Record<string, unknown> = {};
    const secretMap = MAP_OF_SECRETS.test(key);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[k] = secretMap ? maskPresent(v) : redactValue(v, k, depth + 1);
    }
    return out;
  }
  return undefined; // functions, symbols: not configuration
}

function redactString(value: string, key: string): unknown {
  if (PEM_KEY.test(key)) return /key/i.test(key) ? maskPresent(value) : describeCertificates(value);
  if (isSecretKey(key)) return maskPresent(value);
  if (URL_KEY.test(key)) return redactUrl(value);
  return redactText(value);
}

function maskPresent(value: unknown): unknown {
  if (value === '' || value === null || value === undefined) return value;
  return REDACTED;
}

/** `scheme://host[:port]/path` with credentials dropped and any query or fragment masked. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL we can take apart: keep only what is left after the generic text patterns,
    // without anything that looks like a query.
    return redactText(value.split(/[?#]/, 1)[0] ?? '') + (/[?#]/.test(value) ? `?${REDACTED}` : '');
  }
  const suffix = url.search || url.hash ? `?${REDACTED}` : '';
  const path = url.pathname === '/' && !value.replace(/[?#].*$/, '').endsWith('/') ? '' : url.pathname;
  const origin = url.host ? `${url.protocol}//${url.host}` : url.protocol;
  return redactText(`${origin}${path}${suffix}`);
}

const SECRET_FLAG =
  /^--?[A-Za-z0-9_.-]*(token|secret|password|passwd|api[-_]?key|apikey|auth|credential|cookie)[A-Za-z0-9_.-]*$/i;

function redactArgv(argv: unknown[]): unknown[] {
  const out: unknown[] = [];
  let maskNext = false;
  for (const item of argv) {
    if (typeof item !== 'string') {
      out.push(redactValue(item, '', MAX_DEPTH));
      maskNext = false;
      continue;
    }
    if (maskNext) {
      out.push(REDACTED);
      maskNext = false;
      continue;
    }
    const eq = item.indexOf('=');
    if (item.startsWith('-') && eq > 0 && SECRET_FLAG.test(item.slice(0, eq))) {
      out.push(`${item.slice(0, eq)}=${REDACTED}`);
      continue;
    }
    maskNext = SECRET_FLAG.test(item);
    out.push(/^[a-z][a-z0-9+.-]*:\/\//i.test(item) ? redactUrl(item) : redactText(item));
  }
  return out;
}

export interface CertificateSummary {
  present: true;
  sha256?: string;
  subject?: string;
  not_after?: string;
  error?: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Fingerprints instead of PEM text; a PEM with no certificate in it is treated as a secret. */
function describeCertificates(pem: string): unknown {
  if (pem === '') return pem;
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return REDACTED;
  const summaries = blocks.map(describeCertificate);
  return summaries.length === 1 ? summaries[0] : summaries;
}

function describeCertificate(block: string): CertificateSummary {
  try {
    const cert = new X509Certificate(block);
    return {
      present: true,
      sha256: cert.fingerprint256,
      subject: redactText(cert.subject.replace(/\n/g, ', ')),
      not_after: new Date(cert.validTo).toISOString(),
    };
  } catch {
    return { present: true, error: 'not a parsable certificate' };
  }
}
