/**
 * Status codes toward the MCP caller, as the hosted service maps them: 1xx → 502, an
 * unrecognized 2xx → 200, any other unrecognized code → 502. Recognized = registered with IANA.
 */
const REGISTERED = new Set<number>([
  200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402,
  403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 425, 426,
  428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

export function callerStatus(respCode: number): number {
  if (REGISTERED.has(respCode)) return respCode;
  if (respCode >= 200 && respCode <= 299) return 200;
  return 502;
}

/** Statuses that must not carry a body. */
export function forbidsBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}
