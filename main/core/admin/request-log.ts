/** Bounded log of finished commands for the Requests page: metadata only, never payloads. */
import type { RequestRecordDto } from '../../../preload/contract/dto.js';
import type { CommandRecord } from '../engine/dispatcher/types.js';

export class RequestLog {
  readonly #records: RequestRecordDto[] = [];
  readonly #listeners = new Set<(record: RequestRecordDto) => void>();
  #seq = 0;

  constructor(private readonly capacity = 1000) {}

  add(tunnel: string, record: CommandRecord): RequestRecordDto {
    const dto: RequestRecordDto = {
      seq: ++this.#seq,
      tunnel,
      requestId: record.requestId,
      channel: record.channel,
      commandType: record.commandType,
      ...(record.method ? { method: record.method } : {}),
      ...(record.toolName ? { toolName: record.toolName } : {}),
      startedAt: record.startedAt,
      queueMs: record.queueMs,
      mcpMs: record.mcpMs,
      postMs: record.postMs,
      ...(record.status !== undefined ? { status: record.status } : {}),
      outcome: record.outcome,
      ...(record.failureSource ? { failureSource: record.failureSource } : {}),
      requestBytes: record.requestBytes,
      responseBytes: record.responseBytes,
      headers: record.headers,
    };
    this.#records.push(dto);
    if (this.#records.length > this.capacity) this.#records.splice(0, this.#records.length - this.capacity);
    for (const l of this.#listeners) l(dto);
    return dto;
  }

  list(afterSeq = 0, limit = this.capacity): RequestRecordDto[] {
    const out = this.#records.filter((r) => r.seq > afterSeq);
    return out.slice(Math.max(0, out.length - limit));
  }

  subscribe(listener: (record: RequestRecordDto) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
