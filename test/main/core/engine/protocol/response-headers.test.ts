import { describe, expect, it } from 'vitest';
import { filterResponseHeaders } from '../../../../../main/core/engine/protocol/response-headers.js';

describe('filterResponseHeaders', () => {
  it('keeps only the allowlist, in canonical casing, with every value', () => {
    expect(
      filterResponseHeaders({
        'content-type': ['application/json'],
        'MCP-SESSION-ID': ['s-1'],
        'mcp-protocol-version': ['2025-06-18'],
        'last-event-id': ['7'],
        'access-control-expose-headers': ['Mcp-Session-Id', 'Mcp-Protocol-Version'],
        'www-authenticate': ['Bearer realm="a"', 'Basic'],
        'set-cookie': ['secret=1'],
        server: ['x'],
        'x-powered-by': ['y'],
      }),
    ).toEqual({
      'Content-Type': ['application/json'],
      'Mcp-Session-Id': ['s-1'],
      'Mcp-Protocol-Version': ['2025-06-18'],
      'Last-Event-ID': ['7'],
      'Access-Control-Expose-Headers': ['Mcp-Session-Id', 'Mcp-Protocol-Version'],
      'WWW-Authenticate': ['Bearer realm="a"', 'Basic'],
    });
  });

  it('drops headers named in Connection, whatever their case', () => {
    expect(
      filterResponseHeaders({
        Connection: ['keep-alive, MCP-Session-Id'],
        'Mcp-Session-Id': ['s-1'],
        'Content-Type': ['application/json'],
      }),
    ).toEqual({ 'Content-Type': ['application/json'] });
  });

  it('drops empty values, and a header left with none', () => {
    expect(
      filterResponseHeaders({ 'Content-Type': ['', 'application/json', '  '], 'Mcp-Session-Id': [''] }),
    ).toEqual({ 'Content-Type': ['application/json'] });
  });

  it('merges differently-cased duplicates of one header', () => {
    expect(filterResponseHeaders({ 'www-authenticate': ['a'], 'WWW-Authenticate': ['b'] })).toEqual({
      'WWW-Authenticate': ['a', 'b'],
    });
  });

  it('accepts Node IncomingHttpHeaders (strings, arrays, numbers, undefined)', () => {
    expect(
      filterResponseHeaders({
        'content-type': 'text/event-stream',
        'www-authenticate': ['Bearer a', 'Bearer b'],
        'content-length': 12,
        'mcp-session-id': undefined,
      }),
    ).toEqual({ 'Content-Type': ['text/event-stream'], 'WWW-Authenticate': ['Bearer a', 'Bearer b'] });
  });

  it('accepts a fetch Headers object', () => {
    const headers = new Headers({
      'content-type': 'application/json',
      'mcp-session-id': 's-9',
      connection: 'close',
    });
    expect(filterResponseHeaders(headers)).toEqual({
      'Content-Type': ['application/json'],
      'Mcp-Session-Id': ['s-9'],
    });
  });

  it('returns {} for no headers', () => {
    expect(filterResponseHeaders({})).toEqual({});
  });
});
