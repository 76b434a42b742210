/**
 * Errors of the "Add to Codex" integration. Each carries a stable code; messages say what to do
 * next and never contain a token.
 */
export type CodexErrorCode =
  | 'codex_invalid_name'
  | 'codex_config_unparsable'
  | 'codex_config_edit_failed'
  | 'codex_config_locked'
  | 'codex_config_io'
  | 'codex_invalid_entry';

export class CodexConfigError extends Error {
  constructor(
    readonly code: CodexErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CodexConfigError';
  }
}

/** Codex's own rule (codex-mcp `validate_mcp_server_name`). */
export const CODEX_SERVER_NAME = /^[a-zA-Z0-9_-]+$/;

/** A valid name close to `name`: invalid characters become `-`, runs collapse, ends trimmed. */
export function suggestServerName(name: string): string {
  const cleaned = name
    .replace(/[^a-zA-Z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned || 'mcp-tunnel';
}

export function assertServerName(name: string): void {
  if (!CODEX_SERVER_NAME.test(name)) {
    throw new CodexConfigError(
      'codex_invalid_name',
      `'${name}' is not a valid Codex MCP server name: use only letters, digits, '-' and '_' ` +
        `(for example '${suggestServerName(name)}').`,
    );
  }
}
