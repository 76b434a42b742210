/** Stable error codes every contract method may answer with; messages say what to do next. */
export const CONTRACT_ERROR_CODES = [
  'bad_request',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'unavailable',
  'keychain_unavailable',
  'validation_failed',
  'internal',
] as const;

export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

export interface ContractError {
  code: ContractErrorCode;
  message: string;
  /** Field-level problems for `validation_failed`. */
  issues?: Array<{ path: string; message: string }>;
}

export type ContractResult<T> = { ok: true; result: T } | { ok: false; error: ContractError };
