import { describe, expect, it } from 'vitest';
import { encodeResponsePayload } from '../../../../../main/core/engine/control-plane/payload-body.js';
import type { ResponsePayload } from '../../../../../main/core/engine/protocol/wire.js';

describe('encodeResponsePayload', () => {
  it('is byte for byte JSON.stringify(payload) and knows the size of resp_json', () => {
    const payload: ResponsePayload = {
      request_id: 'req_1',
      channel: 'main',
      resp_type: 'jsonrpc_response',
      resp_code: 200,
      resp_headers: { 'Content-Type': ['application/json'] },
      resp_json: { jsonrpc: '2.0', id: 1, result: { text: 'héllo "x" ✓' } },
    };
    const { body, respJsonBytes } = encodeResponsePayload(payload);
    expect(body.toString('utf8')).toBe(JSON.stringify(payload));
    expect(respJsonBytes).toBe(Buffer.byteLength(JSON.stringify(payload.resp_json)));
  });

  it('leaves out undefined members and counts 0 bytes without resp_json', () => {
    const payload: ResponsePayload = {
      request_id: 'req_2',
      channel: 'main',
      resp_type: 'notify_ack',
      resp_code: 202,
      resp_json: undefined,
    };
    const { body, respJsonBytes } = encodeResponsePayload(payload);
    expect(body.toString('utf8')).toBe(JSON.stringify(payload));
    expect(respJsonBytes).toBe(0);
  });
});
