/**
 * Tunnel identities and credentials. Runtime keys (engine → control plane) and connector tokens
 * (MCP client → front door) are 32 random bytes, shown once and stored only as SHA-256 hashes.
 * Verification hashes the presented secret and compares against every stored hash in constant
 * time, so neither timing nor early exit tells which hash (if any) was close.
 */
import { createHash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

export const RUNTIME_KEY_PREFIX = 'mcpt_rk_';
export const CONNECTOR_TOKEN_PREFIX = 'mcpt_ct_';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `tunnel_` + 32 lowercase alphanumerics (the hosted service's id shape). */
export function newTunnelId(): string {
  let out = 'tunnel_';
  while (out.length < 39) {
    for (const byte of randomBytes(40)) {
      // 252 = 7 * 36: reject the tail so every character is equally likely.
      if (byte < 252 && out.length < 39) out += ID_ALPHABET[byte % 36];
    }
  }
  return out;
}

/** `mcpt_rk_` + 43 base64url characters. */
export function newRuntimeKey(): string {
  return RUNTIME_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** `mcpt_ct_` + 43 base64url characters. */
export function newConnectorToken(): string {
  return CONNECTOR_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Random bytes for per-request ids and shard tokens, drawn from the CSPRNG 4 KiB at a time
 * (one `randomFillSync` per ~100 requests instead of two per request). Every byte is used once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Opaque random identifier with a prefix, e.g. `req_…` for request ids (unguessable: CSPRNG bytes). */
export function newOpaqueId(prefix: string, bytes = 16): string {
  if (bytes > POOL_SIZE) return prefix + randomBytes(bytes).toString('base64url');
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += bytes;
  return prefix + pool.toString('base64url', start, poolOffset);
}

/** Hex SHA-256 of a secret: what the stores keep. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Decode stored hex hashes once; invalid entries are dropped (they can never match). */
export function decodeHashes(hexHashes: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  for (const hex of hexHashes) {
    if (/^[0-9a-f]{64}$/.test(hex)) out.push(Buffer.from(hex, 'hex'));
  }
  return out;
}

/** True when `presented` hashes to one of `hashes`; every hash is compared (no early exit). */
export function secretMatches(presented: string, hashes: readonly Buffer[]): boolean {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let matched = false;
  for (const hash of hashes) {
    if (timingSafeEqual(digest, hash)) matched = true;
  }
  return matched;
}

/** Constant-time equality of two opaque tokens (e.g. shard tokens). */
export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
