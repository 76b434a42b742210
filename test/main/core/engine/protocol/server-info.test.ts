import { describe, expect, it } from 'vitest';
import {
  buildServerInfo,
  ServerInfoError,
  SERVER_INFO_MAX_BYTES,
} from '../../../../../main/core/engine/protocol/server-info.js';
import { openapi } from '../../../../support/openapi.js';

describe('buildServerInfo', () => {
  it('builds the compact v1 declaration with proc_affinity true for stdio/in-memory', () => {
    expect(buildServerInfo([{ name: 'main', procAffinity: true }])).toBe(
      '{"version":1,"channels":[{"name":"main","proc_affinity":true}]}',
    );
  });

  it('matches the example published in openapi.json', () => {
    const param = openapi.paths['/v1/tunnels/{tunnel_id}/poll']!.get!.parameters!.find(
      (p) => p.name === 'X-Tunnel-MCP-Server-Info',
    ) as unknown as { examples: Record<string, { value: string }> };
    const example = param.examples['stdio-and-harpoon']!.value;
    expect(
      buildServerInfo([
        { name: 'main', procAffinity: true },
        { name: 'harpoon', procAffinity: true },
      ]),
    ).toBe(example);
  });

  it('omits proc_affinity (never false) for HTTP channels', () => {
    const value = buildServerInfo([
      { name: 'main', procAffinity: false },
      { name: 'local_stdio', procAffinity: true },
    ]);
    expect(value).toBe(
      '{"version":1,"channels":[{"name":"main"},{"name":"local_stdio","proc_affinity":true}]}',
    );
    expect(value).not.toContain('false');
  });

  it('accepts 32 channels with 64-character names and stays within 4096 bytes', () => {
    const channels = Array.from({ length: 32 }, (_, i) => ({
      name: `c${String(i).padStart(2, '0')}`.padEnd(64, 'x'),
      procAffinity: true,
    }));
    const value = buildServerInfo(channels);
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(SERVER_INFO_MAX_BYTES);
    expect((JSON.parse(value) as { channels: unknown[] }).channels).toHaveLength(32);
  });

  it.each([
    ['no channels', [], /at least|no MCP channel/],
    [
      '33 channels',
      Array.from({ length: 33 }, (_, i) => ({ name: `c${i}`, procAffinity: false })),
      /at most 32/,
    ],
    ['an upper-case name', [{ name: 'Main', procAffinity: true }], /not canonical/],
    ['an empty name', [{ name: '', procAffinity: true }], /not canonical/],
    ['a 65-character name', [{ name: 'a'.repeat(65), procAffinity: true }], /not canonical/],
    ['a URL as name', [{ name: 'http://x', procAffinity: true }], /not canonical/],
    [
      'a duplicate name',
      [
        { name: 'main', procAffinity: true },
        { name: 'main', procAffinity: false },
      ],
      /used twice/,
    ],
  ])('rejects %s with a clear error', (_label, channels, message) => {
    expect(() => buildServerInfo(channels)).toThrow(ServerInfoError);
    expect(() => buildServerInfo(channels)).toThrow(message);
  });
});
