/** "Add to Codex": the public surface used by the CLI (`mcp-tunnel codex …`) and the desktop shell. */
export {
  CODEX_SERVER_NAME,
  CodexConfigError,
  suggestServerName,
  type CodexErrorCode,
} from './codex-errors.js';
export {
  codexEntryFor,
  maskToken,
  DEFAULT_STARTUP_TIMEOUT_SEC,
  DEFAULT_TOOL_TIMEOUT_SEC,
  type CodexEntryOptions,
  type CodexEntryPlan,
  type CodexHttpEntry,
  type CodexTokenMode,
  type CodexTunnelKind,
  type CodexTunnelRef,
} from './codex-entry.js';
export {
  addToCodex,
  codexConfigPath,
  codexHomeDir,
  previewCodexEntry,
  readCodexConfig,
  removeFromCodex,
  type AddToCodexOptions,
  type AddToCodexResult,
  type CodexLocation,
} from './codex-config-file.js';
export { parseConfig, removeMcpServer, upsertMcpServer } from './mcp-servers-editor.js';
export { verifyCodexEntry, INSTALL_HINT, type VerifyOptions, type VerifyResult } from './codex-verify.js';
export type { CodexMcpEntry, CodexEntryValue } from './entry-toml.js';
