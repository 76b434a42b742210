/** Errors of the stdio channel, with stable codes and messages that say what to do next. */
export type StdioErrorCode =
  | 'stdio_argv_empty'
  | 'stdio_argv_unbalanced_quote'
  | 'stdio_argv_dangling_escape'
  | 'stdio_command_not_found'
  | 'stdio_command_not_executable'
  | 'stdio_spawn_failed';

export class StdioChannelError extends Error {
  override readonly name = 'StdioChannelError';
  constructor(
    readonly code: StdioErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function commandNotFound(command: string): StdioChannelError {
  return new StdioChannelError(
    'stdio_command_not_found',
    `MCP server command not found: '${command}'. Check MCP_COMMAND / mcp.commands[].command, or use an absolute path.`,
  );
}

export function commandNotExecutable(command: string): StdioChannelError {
  return new StdioChannelError(
    'stdio_command_not_executable',
    `MCP server command is not executable: '${command}'. Make it executable (chmod +x) or run it through its interpreter (e.g. 'node server.js').`,
  );
}
