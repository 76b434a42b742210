import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCommand,
  decodePollBody,
  pollBodyProblem,
} from '../../../../../main/core/engine/protocol/decode.js';
import { schemaErrors } from '../../../../support/openapi.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../../../fixtures/protocol/poll_command_envelope.json', import.meta.url), 'utf8'),
) as unknown;

const base = {
  request_id: 'req_1',
  shard_token: 'shard-1',
  created_at: '2026-01-01T00:00:00Z',
};

describe('decodePollBody', () => {
  it('decodes the shared fixture: both command types, channel and headers as sent', () => {
    const out = decodePollBody(fixture);
    expect(out.dropped).toEqual([]);
    expect(out.skipped).toEqual([]);
    expect(out.commands).toEqual([
      {
        request_id: 'cmd_fixture_jsonrpc',
        shard_token: 'fixture:jsonrpc',
        command_type: 'jsonrpc',
        channel: 'harpoon',
        created_at: '2026-06-12T12:13:14.000Z',
        headers: { 'x-test': ['alpha'] },
        jsonrpc: { jsonrpc: '2.0', id: 'rpc-1', method: 'tools/list', params: { needle: 'hay' } },
      },
      {
        request_id: 'cmd_fixture_session_end',
        shard_token: 'fixture:session',
        command_type: 'session_termination',
        channel: 'main',
        created_at: '2026-06-12T12:15:16.000Z',
        headers: {},
      },
    ]);
    for (const c of out.commands) {
      const schema =
        c.command_type === 'jsonrpc' ? 'JsonRpcPolledCommand' : 'SessionTerminationPolledCommand';
      expect(schemaErrors(schema, c)).toBeNull();
    }
  });

  it('applies the schema defaults: channel main, headers {}, command_type jsonrpc', () => {
    const out = decodePollBody({
      commands: [{ ...base, jsonrpc: { jsonrpc: '2.0', method: 'ping', id: 1 } }],
    });
    expect(out.commands).toEqual([
      {
        ...base,
        channel: 'main',
        headers: {},
        command_type: 'jsonrpc',
        jsonrpc: { jsonrpc: '2.0', method: 'ping', id: 1 },
      },
    ]);
    const nulls = decodePollBody({
      commands: [{ ...base, channel: null, headers: null, command_type: null, jsonrpc: {} }],
    });
    expect(nulls.commands[0]).toMatchObject({ channel: 'main', headers: {}, command_type: 'jsonrpc' });
  });

  it('ignores unknown fields, at the top level and in commands', () => {
    const out = decodePollBody({
      future_field: 1,
      commands: [{ ...base, command_type: 'session_termination', priority: 'high', trace: { a: 1 } }],
    });
    expect(out.commands).toHaveLength(1);
    expect(Object.keys(out.commands[0]!).sort()).toEqual(
      ['channel', 'command_type', 'created_at', 'headers', 'request_id', 'shard_token'].sort(),
    );
  });

  it('keeps every value of multi-valued headers, in order', () => {
    const headers = { Accept: ['application/json', 'text/event-stream'], 'X-Empty': [] };
    const out = decodePollBody({ commands: [{ ...base, headers, jsonrpc: {} }] });
    expect(out.commands[0]!.headers).toEqual(headers);
  });

  it('passes response_timeout through untouched (also null and malformed values), and omits it when absent', () => {
    for (const value of ['30s', '4500ms', null, 'soon', 12]) {
      const out = decodePollBody({ commands: [{ ...base, response_timeout: value, jsonrpc: {} }] });
      expect(out.commands[0]!.response_timeout).toEqual(value);
    }
    const absent = decodePollBody({ commands: [{ ...base, jsonrpc: {} }] });
    expect('response_timeout' in absent.commands[0]!).toBe(false);
  });

  it('skips unknown command types, keeping request_id and type, and goes on with the batch', () => {
    const out = decodePollBody({
      commands: [
        { ...base, request_id: 'r-new', command_type: 'harpoon_call', payload: {} },
        { command_type: 'mystery' },
        { ...base, request_id: 'r-ok', jsonrpc: {} },
      ],
    });
    expect(out.skipped).toEqual([
      { requestId: 'r-new', commandType: 'harpoon_call' },
      { commandType: 'mystery' },
    ]);
    expect(out.commands.map((c) => c.request_id)).toEqual(['r-ok']);
  });

  it.each([
    ['not an object', 'nope', undefined, 'command is not a JSON object'],
    ['null', null, undefined, 'command is not a JSON object'],
    ['missing request_id', { ...base, request_id: undefined, jsonrpc: {} }, undefined, 'missing request_id'],
    ['empty request_id', { ...base, request_id: '', jsonrpc: {} }, undefined, 'missing request_id'],
    ['missing shard_token', { ...base, shard_token: undefined, jsonrpc: {} }, 'req_1', 'missing shard_token'],
    ['numeric shard_token', { ...base, shard_token: 7, jsonrpc: {} }, 'req_1', 'missing shard_token'],
    ['missing created_at', { ...base, created_at: undefined, jsonrpc: {} }, 'req_1', 'missing created_at'],
    ['jsonrpc absent', { ...base }, 'req_1', 'jsonrpc is not a JSON object'],
    ['jsonrpc array', { ...base, jsonrpc: [1] }, 'req_1', 'jsonrpc is not a JSON object'],
    ['jsonrpc string', { ...base, jsonrpc: '{"id":1}' }, 'req_1', 'jsonrpc is not a JSON object'],
    ['headers string value', { ...base, headers: { A: 'b' }, jsonrpc: {} }, 'req_1', 'headers'],
    ['headers number item', { ...base, headers: { A: ['b', 2] }, jsonrpc: {} }, 'req_1', 'headers'],
    ['headers array', { ...base, headers: [['A', 'b']], jsonrpc: {} }, 'req_1', 'headers'],
    ['channel number', { ...base, channel: 3, jsonrpc: {} }, 'req_1', 'channel is not a string'],
    [
      'command_type number',
      { ...base, command_type: 1, jsonrpc: {} },
      'req_1',
      'command_type is not a string',
    ],
  ])('drops a command with %s, with a reason', (_label, raw, requestId, reason) => {
    const out = decodePollBody({ commands: [raw, { ...base, request_id: 'after', jsonrpc: {} }] });
    expect(out.dropped).toHaveLength(1);
    expect(out.dropped[0]!.requestId).toBe(requestId);
    expect(out.dropped[0]!.reason).toContain(reason);
    expect(out.commands.map((c) => c.request_id)).toEqual(['after']);
  });

  it('session_termination needs no jsonrpc and ignores one that is present', () => {
    const out = decodeCommand({ ...base, command_type: 'session_termination', jsonrpc: 'junk' });
    expect(out.ok).toBe(true);
    if (out.ok) expect('jsonrpc' in out.command).toBe(false);
  });

  it('reports a body that is not a poll body, and decodePollBody returns it as one dropped entry', () => {
    expect(pollBodyProblem({ commands: [] })).toBeUndefined();
    for (const body of [null, 'x', 3, [], {}, { commands: {} }, { commands: null }]) {
      expect(pollBodyProblem(body)).toBeTypeOf('string');
      const out = decodePollBody(body);
      expect(out.commands).toEqual([]);
      expect(out.dropped).toHaveLength(1);
    }
  });

  it('never throws, whatever JSON arrives', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ commands: fc.array(fc.jsonValue()) })), (json) => {
        const out = decodePollBody(json);
        for (const c of out.commands) {
          expect(typeof c.request_id).toBe('string');
          expect(typeof c.channel).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });
});
