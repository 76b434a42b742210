/**
 * Property tests for everything that parses untrusted wire input: poll envelopes
 * (decodePollBody / pollBodyProblem), `response_timeout`, response POST bodies at the relay
 * (decodeResponsePayload), and header maps in both directions (filterResponseHeaders, the
 * relay's forwardedHeaders / applyResponseHeaders). No input throws; invalid input is reported
 * with a reason; what comes out always satisfies the wire rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePollBody, pollBodyProblem } from '../../main/core/engine/protocol/decode.js';
import { filterResponseHeaders } from '../../main/core/engine/protocol/response-headers.js';
import {
  MAX_RESPONSE_TIMEOUT_MS,
  parseResponseTimeout,
} from '../../main/core/engine/protocol/response-timeout.js';
import { RESPONSE_HEADER_ALLOWLIST, RESP_TYPES } from '../../main/core/engine/protocol/wire.js';
import { applyResponseHeaders, forwardedHeaders } from '../../main/core/relay/forwarded-headers.js';
import { decodeResponsePayload } from '../../main/core/relay/response-payload.js';

const RUNS = { numRuns: 300 };

/** Values shaped like wire fields, with the wrong types mixed in. */
const fieldValue = fc.oneof(
  fc.string(),
  fc.constantFrom('main', 'jsonrpc', 'session_termination', '30s', '0s', '', 'x'.repeat(70)),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 3 }), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const nearCommand = fc.record(
  {
    request_id: fieldValue,
    shard_token: fieldValue,
    command_type: fieldValue,
    channel: fieldValue,
    created_at: fieldValue,
    headers: fieldValue,
    response_timeout: fieldValue,
    jsonrpc: fc.oneof(fieldValue, fc.constant({ jsonrpc: '2.0', id: 1, method: 'ping' })),
  },
  { requiredKeys: [] },
);

describe('fuzz: poll envelopes', () => {
  it('decodePollBody never throws, accounts for every entry, and yields only well-formed commands', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            commands: fc.array(fc.oneof(nearCommand, fc.jsonValue({ maxDepth: 2 })), { maxLength: 8 }),
          }),
        ),
        (body) => {
          const problem = pollBodyProblem(body);
          const decoded = decodePollBody(body);
          if (problem !== undefined) {
            expect(decoded.commands).toEqual([]);
            expect(decoded.dropped).toEqual([{ reason: problem }]);
            return;
          }
          const entries = (body as { commands: unknown[] }).commands.length;
          expect(decoded.commands.length + decoded.dropped.length + decoded.skipped.length).toBe(entries);
          for (const c of decoded.commands) {
            expect(typeof c.request_id === 'string' && c.request_id !== '').toBe(true);
            expect(typeof c.shard_token === 'string' && c.shard_token !== '').toBe(true);
            expect(typeof c.channel).toBe('string');
            expect(['jsonrpc', 'session_termination']).toContain(c.command_type);
            for (const values of Object.values(c.headers))
              expect(values.every((v) => typeof v === 'string')).toBe(true);
            if (c.command_type === 'jsonrpc')
              expect(typeof c.jsonrpc === 'object' && !Array.isArray(c.jsonrpc)).toBe(true);
          }
          for (const d of decoded.dropped) expect(d.reason.length).toBeGreaterThan(0);
        },
      ),
      RUNS,
    );
  });
});

describe('fuzz: response_timeout', () => {
  it('any value: undefined (fail open) or a finite duration in [0, cap]; never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.string(), fc.stringMatching(/^[0-9]{0,30}(ns|us|ms|s|m|h|d|)$/)),
        (value) => {
          const ms = parseResponseTimeout(value);
          if (ms === undefined) return;
          expect(Number.isFinite(ms) && ms >= 0 && ms <= MAX_RESPONSE_TIMEOUT_MS).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('valid durations parse to digits × unit (capped); anything with extra characters fails open', () => {
    const unit = fc.constantFrom(
      ['ns', 1e-6],
      ['us', 1e-3],
      ['ms', 1],
      ['s', 1000],
      ['m', 60_000],
      ['h', 3_600_000],
    );
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 25n }),
        unit,
        fc.string({ maxLength: 3 }),
        (n, [u, factor], junk) => {
          const text = `${n}${u as string}`;
          expect(parseResponseTimeout(text)).toBe(
            Math.min(Number(n) * (factor as number), MAX_RESPONSE_TIMEOUT_MS),
          );
          if (junk !== '' && !/^[0-9]*$/.test(junk) && !`${text}${junk}`.match(/^[0-9]+(ns|us|ms|s|m|h)$/))
            expect(parseResponseTimeout(`${text}${junk}`)).toBeUndefined();
        },
      ),
      RUNS,
    );
  });
});

const validPayload = fc.record(
  {
    request_id: fc.string({ minLength: 1 }),
    channel: fc.oneof(fc.stringMatching(/^[a-z0-9_-]{1,64}$/), fc.constant(null)),
    resp_json: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), fc.constant(null)),
    resp_headers: fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
    resp_code: fc.integer({ min: 100, max: 599 }),
    resp_type: fc.constantFrom(...RESP_TYPES),
  },
  { requiredKeys: ['request_id', 'resp_code'] },
);

describe('fuzz: response payloads at the relay', () => {
  it('decodeResponsePayload never throws; accepts only schema-valid payloads, explains every refusal', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          validPayload.map((p) => JSON.stringify(p)),
          fc
            .tuple(validPayload, fc.string(), fieldValue)
            .map(([p, k, v]) => JSON.stringify({ ...p, [k]: v })),
        ),
        (text) => {
          const decoded = decodeResponsePayload(text);
          if (!decoded.ok) {
            expect(decoded.message.length).toBeGreaterThan(10);
            return;
          }
          const r = decoded.response;
          expect(typeof r.request_id === 'string' && r.request_id !== '').toBe(true);
          expect(Number.isInteger(r.resp_code)).toBe(true);
          expect(RESP_TYPES).toContain(r.resp_type);
          if (r.resp_json != null)
            expect(typeof r.resp_json === 'object' && !Array.isArray(r.resp_json)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('every schema-valid payload is accepted', () => {
    fc.assert(
      fc.property(validPayload, (p) => {
        expect(decodeResponsePayload(JSON.stringify(p)).ok).toBe(true);
      }),
      RUNS,
    );
  });
});

const headerName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom(
    ...RESPONSE_HEADER_ALLOWLIST,
    'connection',
    'Authorization',
    'cookie',
    'x-forwarded-for',
    'proxy-authorization',
    'mcp-session-id',
    'CONTENT-TYPE',
    '__proto__',
    'constructor',
  ),
);
const headerValues = fc.array(fc.oneof(fc.string(), fc.constant(''), fc.constant('  ')), { maxLength: 4 });

describe('fuzz: header maps', () => {
  it('filterResponseHeaders keeps only allowlisted, canonically named, non-empty values', () => {
    const allowed = new Set<string>(RESPONSE_HEADER_ALLOWLIST);
    fc.assert(
      fc.property(fc.dictionary(headerName, fc.oneof(headerValues, fc.string(), fc.integer())), (map) => {
        const out = filterResponseHeaders(map);
        for (const [name, values] of Object.entries(out)) {
          expect(allowed.has(name)).toBe(true);
          expect(values.length).toBeGreaterThan(0);
          for (const v of values) expect(v.trim()).not.toBe('');
        }
      }),
      RUNS,
    );
  });

  it('the relay forwards no credential, hop-by-hop or forwarding header, and passes only allowlisted ones back', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          headerName.map((n) => n.toLowerCase()),
          headerValues,
        ),
        fc.string(),
        (distinct, connection) => {
          const out = forwardedHeaders(distinct, { connection });
          const named = new Set(connection.split(',').map((t) => t.trim().toLowerCase()));
          for (const name of Object.keys(out)) {
            const lower = name.toLowerCase();
            expect(['authorization', 'cookie', 'connection', 'host'].includes(lower)).toBe(false);
            expect(lower.startsWith('proxy-') || lower.startsWith('x-forwarded-')).toBe(false);
            expect(named.has(lower)).toBe(false);
          }
          const target: Record<string, unknown> = {};
          applyResponseHeaders(target as never, distinct);
          for (const name of Object.keys(target))
            expect(['Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID', 'WWW-Authenticate']).toContain(
              name,
            );
        },
      ),
      RUNS,
    );
  });
});
