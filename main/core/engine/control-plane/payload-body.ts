/**
 * The body of `POST /v1/tunnels/{id}/response`, serialized once. The result is byte for byte
 * `JSON.stringify(payload)` (or, with a pre-serialized `resp_json`, equal to it as JSON), built member by member so the size of `resp_json` (the MCP
 * message, possibly large) is known for the command record without serializing it again.
 */
import type { ResponsePayload } from '../protocol/wire.js';

export interface EncodedPayload {
  /** The UTF-8 JSON body, sent as is (and replayed byte for byte on retries). */
  readonly body: Buffer;
  /** UTF-8 size of the serialized `resp_json`; 0 without one. */
  readonly respJsonBytes: number;
}

/**
 * `respJsonText`, when given, is `payload.resp_json` already serialized (equal to it as JSON,
 * e.g. a stdio child's line): spliced in as is instead of serializing the message again.
 */
export function encodeResponsePayload(payload: ResponsePayload, respJsonText?: string): EncodedPayload {
  let text = '';
  let respJsonBytes = 0;
  for (const key of Object.keys(payload)) {
    const json =
      key === 'resp_json' && respJsonText !== undefined && payload.resp_json !== undefined
        ? respJsonText
        : (JSON.stringify(payload[key as keyof ResponsePayload]) as string | undefined);
    if (json === undefined) continue; // as JSON.stringify does for undefined members
    if (key === 'resp_json') respJsonBytes = Buffer.byteLength(json, 'utf8');
    text += `${text === '' ? '{' : ','}${JSON.stringify(key)}:${json}`;
  }
  return { body: Buffer.from(text === '' ? '{}' : `${text}}`, 'utf8'), respJsonBytes };
}
